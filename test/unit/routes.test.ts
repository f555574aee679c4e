import { describe, expect, it } from 'vitest';
import { routes, routeKey } from '../../shared/http/routes';
import { lambdaHandlers } from '../../local/handlers';

describe('route table', () => {
  it('has exactly one implementation for every route, in the function the table names', () => {
    for (const route of routes) {
      expect(lambdaHandlers[route.fn].routeKeys, routeKey(route)).toContain(routeKey(route));
    }
    const implemented = Object.values(lambdaHandlers).flatMap((handler) => handler.routeKeys);
    expect(implemented.sort()).toEqual(routes.map(routeKey).sort());
  });
});
