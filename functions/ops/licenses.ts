import { clock } from '../../shared/adapters/clock';
import { actorOf, type ApiRequest, type RouteImplementation } from '../../shared/http/types';
import { parseWith, withBody } from '../../shared/http/validation';
import { licenseListQuery, listQuery } from '../../shared/schemas/common';
import {
  carePlusRequest,
  changeLicenseRequest,
  issueLicenseRequest,
  revokeLicenseRequest,
  transferLicenseRequest,
} from '../../shared/schemas/licenses';
import { licenseView, licenseViews, toDeviceView } from '../../shared/use-cases/license-view';
import {
  changeLicense,
  devicesOfLicense,
  eventsOfLicense,
  installationsOfLicense,
  issueLicense,
  licensesFor,
  revokeLicense,
  setCarePlus,
  transferLicense,
  viewLicenseFor,
  type ChangeContext,
} from '../../shared/use-cases/licenses';
import { toInstallationListItem } from '../../shared/use-cases/installations';
import type { IssueRequest } from '../../shared/store/licenses';
import type { LicenseRecord } from '../../shared/store/records';
import { sha256Hex } from '../../shared/crypto';

const contextOf = (request: ApiRequest): ChangeContext => ({ actor: actorOf(request.caller), sourceIp: request.sourceIp });
const slcOf = (request: ApiRequest): string => request.pathParameters.slc ?? '';
const view = async (status: number, license: LicenseRecord) => ({ status, body: await licenseView(license, clock.now()) });

/**
 * With an Idempotency-Key, the issue is bound to the caller and key, so that a retry after a lost
 * answer finds the license its first run issued instead of issuing a second one.
 */
const issueRequestOf = (request: ApiRequest): IssueRequest | undefined => {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  return { id: `${actorOf(request.caller)}#${sha256Hex(key)}`, fingerprint: sha256Hex(`${request.method}\n${request.path}\n${request.rawBody}`) };
};

export const licenseRoutes = {
  'POST /v1/licenses': withBody(issueLicenseRequest, async (request, input) => {
    const license = await issueLicense(
      {
        customerId: input.customerId,
        product: input.product,
        version: input.version,
        deviceLicenses: input.deviceLicenses,
        addOns: input.addOns,
        carePlusValidUntil: input.carePlus?.validUntil ?? null,
        channel: 'byol',
      },
      contextOf(request),
      issueRequestOf(request),
    );
    return view(201, license);
  }),

  'GET /v1/licenses': (async (request) => {
    const { limit, cursor, ...filters } = parseWith(licenseListQuery, request.query, 'query');
    const page = await licensesFor(request.caller, filters, limit, cursor);
    return { status: 200, body: { items: await licenseViews(page.items, clock.now()), nextCursor: page.nextCursor } };
  }) satisfies RouteImplementation,

  'GET /v1/licenses/{slc}/installations': (async (request) => {
    const { limit, cursor } = parseWith(listQuery, request.query, 'query');
    const page = await installationsOfLicense(request.caller, slcOf(request), limit, cursor);
    return { status: 200, body: { items: page.items.map(toInstallationListItem), nextCursor: page.nextCursor } };
  }) satisfies RouteImplementation,

  'GET /v1/licenses/{slc}': (async (request) => view(200, await viewLicenseFor(request.caller, slcOf(request), contextOf(request)))) satisfies RouteImplementation,

  'PATCH /v1/licenses/{slc}': withBody(changeLicenseRequest, async (request, change) => {
    return view(200, await changeLicense(slcOf(request), change, contextOf(request)));
  }),

  'PUT /v1/licenses/{slc}/care-plus': withBody(carePlusRequest, async (request, { validUntil }) => {
    return view(200, await setCarePlus(slcOf(request), validUntil, contextOf(request)));
  }),

  'POST /v1/licenses/{slc}/revoke': withBody(revokeLicenseRequest, async (request, input) => {
    return view(200, await revokeLicense(slcOf(request), input, contextOf(request)));
  }),

  'POST /v1/licenses/{slc}/transfer': withBody(transferLicenseRequest, async (request, input) => {
    return view(200, await transferLicense(slcOf(request), input, contextOf(request)));
  }),

  'GET /v1/licenses/{slc}/devices': (async (request) => {
    const { limit, cursor } = parseWith(listQuery, request.query, 'query');
    const page = await devicesOfLicense(request.caller, slcOf(request), limit, cursor);
    return { status: 200, body: { items: page.items.map(toDeviceView), nextCursor: page.nextCursor } };
  }) satisfies RouteImplementation,

  'GET /v1/licenses/{slc}/events': (async (request) => {
    const { limit, cursor } = parseWith(listQuery, request.query, 'query');
    const page = await eventsOfLicense(request.caller, slcOf(request), limit, cursor);
    return { status: 200, body: page };
  }) satisfies RouteImplementation,
};
