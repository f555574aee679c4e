import { describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { routeDocs } from '../../shared/http/openapi-routes';
import { buildOpenApiDocument } from '../../shared/http/openapi';
import { routes, routeKey } from '../../shared/http/routes';
import { lambdaHandlers } from '../../local/handlers';

const tableKeys = routes.map(routeKey).sort();
const documentKeys = (document: ReturnType<typeof buildOpenApiDocument>) =>
  Object.entries(document.paths)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();

describe('OpenAPI document', () => {
  it('has metadata for exactly the routes of the route table', () => {
    expect(Object.keys(routeDocs).sort()).toEqual(tableKeys);
  });

  it('documents as request body exactly the schema each route parses its body with (withBody)', () => {
    const declared = Object.assign({}, ...Object.values(lambdaHandlers).map((handler) => handler.bodySchemas)) as Record<string, unknown>;
    const documented = Object.fromEntries(Object.entries(routeDocs).flatMap(([key, doc]) => (doc.body ? [[key, doc.body]] : [])));
    expect(Object.keys(documented).sort()).toEqual(Object.keys(declared).sort());
    for (const [key, schema] of Object.entries(declared)) expect(documented[key], key).toBe(schema);
  });

  it('validates as OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(buildOpenApiDocument())));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('is refused by the validator when it is not OpenAPI (the check can fail)', async () => {
    const broken = structuredClone(buildOpenApiDocument()) as any;
    broken.paths['/v1/health'].get.responses = { 200: { content: {} } }; // a response without its required description
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('lists exactly the routes of the route table, each with its credentials', () => {
    const document = buildOpenApiDocument();
    expect(documentKeys(document)).toEqual(tableKeys);
    for (const route of routes) {
      const operation = document.paths[route.path]![route.method.toLowerCase()]!;
      const schemes = operation.security.flatMap((requirement) => Object.keys(requirement));
      if (route.access === 'none') expect(operation.security, routeKey(route)).toEqual([]);
      else expect(operation.responses['401'], routeKey(route)).toBeDefined();
      if (Array.isArray(route.access) && route.access.includes('ops')) expect(schemes).toContain('opsToken');
      if (Array.isArray(route.access) && route.access.includes('partner')) expect(schemes).toContain('partnerKey');
      if (Array.isArray(route.access) && route.access.includes('installation')) expect(schemes).toContain('installationSignature');
      if (route.access === 'activation') expect(operation.security).toContainEqual({});
    }
  });

  it('names the error codes of each route under their status', () => {
    const document = buildOpenApiDocument();
    const activation = document.paths['/v1/activations']!.post!;
    const codes = (status: string) => (activation.responses[status]!.content!['application/json']!.schema as any).allOf[1].properties.error.properties.code.enum;
    expect(codes('404')).toEqual(expect.arrayContaining(['license_not_found']));
    expect(codes('403')).toEqual(expect.arrayContaining(['license_revoked', 'customer_not_verified', 'forbidden']));
    expect(codes('401')).toEqual(expect.arrayContaining(['invalid_signature', 'stale_request']));
    expect(codes('422')).toEqual(expect.arrayContaining(['eula_not_accepted', 'idempotency_key_reused']));
    expect(activation.requestBody).toBeDefined();
    expect(Object.keys(activation.responses)).toEqual(expect.arrayContaining(['200', '201']));
  });

  it('describes request bodies from the same zod schemas the handlers parse', () => {
    const issue = buildOpenApiDocument().paths['/v1/licenses']!.post!.requestBody as any;
    const schema = issue.content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['customerId', 'product', 'version', 'deviceLicenses']));
    expect(schema.properties.product.enum).toEqual(['corporate', 'expert', 'professional-plus', 'express-plus', 'essential-plus']);
    expect(schema.additionalProperties).toBe(false);
  });
});
