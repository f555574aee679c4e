import type { RouteImplementation } from '../../shared/http/types';
import { parseWith, withBody } from '../../shared/http/validation';
import { eulaVersionParameter, putCatalogVersionRequest, putEulaRequest, versionParameter } from '../../shared/schemas/catalog';
import { listQuery } from '../../shared/schemas/common';
import { catalogVersions, defineCatalogVersion, defineEulaStatus, eulaCatalog, toCatalogVersionView } from '../../shared/use-cases/catalog';

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

  'PUT /v1/catalog/eulas/{eulaVersion}': withBody(putEulaRequest, async (request, { status }) => {
    const eulaVersion = parseWith(eulaVersionParameter, request.pathParameters.eulaVersion, 'eulaVersion');
    return { status: 200, body: await defineEulaStatus(eulaVersion, status) };
  }),

  'GET /v1/catalog/eulas': (async (request) => {
    const { limit, cursor } = parseWith(listQuery, request.query, 'query');
    return { status: 200, body: await eulaCatalog(limit, cursor) };
  }) satisfies RouteImplementation,
};
