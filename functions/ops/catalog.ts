import type { RouteImplementation } from '../../shared/http/types';
import { parseWith, withBody } from '../../shared/http/validation';
import { putCatalogVersionRequest, versionParameter } from '../../shared/schemas/catalog';
import { listQuery } from '../../shared/schemas/common';
import { catalogVersions, defineCatalogVersion, toCatalogVersionView } from '../../shared/use-cases/catalog';

export const catalogRoutes = {
  'PUT /v1/catalog/versions/{version}': withBody(putCatalogVersionRequest, async (request, { generalAvailability }) => {
    const version = parseWith(versionParameter, request.pathParameters.version, 'version');
    const entry = await defineCatalogVersion(version, generalAvailability);
    return { status: 200, body: toCatalogVersionView(entry) };
  }),

  'GET /v1/catalog/versions': (async (request) => {
    const { limit, cursor } = parseWith(listQuery, request.query, 'query');
    const page = await catalogVersions(limit, cursor);
    return { status: 200, body: { items: page.items.map(toCatalogVersionView), nextCursor: page.nextCursor } };
  }) satisfies RouteImplementation,
};
