import type * as z from 'zod/mini';
import { activationRequestSchema, amiActivationRequestSchema } from '../schemas/activation';
import { putCatalogVersionRequest, putEulaRequest } from '../schemas/catalog';
import { licenseListQuery, listQuery, productVersion } from '../schemas/common';
import { changeCustomerRequest, createCustomerRequest, createPartnerCustomerRequest, verificationRequest } from '../schemas/customers';
import {
  carePlusRequest,
  changeLicenseRequest,
  issueLicenseRequest,
  revokeLicenseRequest,
  transferLicenseRequest,
} from '../schemas/licenses';
import { activationRequestFile } from '../schemas/offline';
import { createPartnerRequest } from '../schemas/partners';
import { createUserRequest } from '../schemas/users';
import { createWebhookRequest } from '../schemas/webhooks';
import {
  healthReportRequest,
  mobileServerPath,
  pushDevicePath,
  putEmailsRequest,
  putMobileServerRequest,
  putPushDeviceRequest,
  putSmartConnectRequest,
  sendNotificationRequest,
} from '../schemas/push';
import * as responses from '../schemas/responses';
import type { FunctionName, RouteKeyOf } from './routes';

type Schema = z.core.$ZodType;

/** Refusal codes a route answers, by HTTP status (the codes every route shares are added by the builder). */
export type RouteErrors = Partial<Record<400 | 401 | 403 | 404 | 409 | 422 | 429 | 503, readonly string[]>>;

/** What the OpenAPI document says about one route besides its method, path and credentials. */
export interface RouteDoc {
  summary: string;
  tag: string;
  /** The JSON request body. */
  body?: Schema;
  /** Query parameters, as one object schema. */
  query?: Schema;
  /** Path parameters with a schema of their own (others are strings). */
  path?: Schema;
  /** Request headers the route reads, besides credentials and Idempotency-Key. */
  headers?: Record<string, { schema: Schema; required: boolean; description: string }>;
  /** Success statuses with their body; `null` for no body. */
  responses: Partial<Record<200 | 201 | 202 | 204, Schema | null>>;
  errors?: RouteErrors;
}

const LICENSE_REFUSALS = { 403: ['license_revoked', 'customer_not_verified'], 404: ['license_not_found'] } as const;
const CARE_PLUS = ['care_plus_required'] as const;
const INSTALLATION_NOT_FOUND = ['installation_not_found'] as const;
/** §5 refusals of an activation, which an offline activation (§10) answers alike. */
const ACTIVATION_REFUSALS = {
  400: ['duplicate_device'],
  403: [...LICENSE_REFUSALS[403]],
  404: [...LICENSE_REFUSALS[404], 'installation_not_found'],
  409: ['installation_exists', 'installation_limit_reached'],
  422: ['eula_not_accepted', 'recording_server_limit', 'failover_not_licensed'],
  503: ['service_unavailable'],
} as const;
/** §11: creating a user (ops, or a partner for its own tenants); the user pool may be missing from the cell. */
const USER_CREATION_REFUSALS = { 409: ['user_exists'], 422: ['partner_not_found', 'customer_not_found'], 503: ['service_unavailable'] } as const;

/**
 * The OpenAPI metadata of every route of the route table, keyed by route key. Typed as a record of
 * every route key, so a route without an entry does not compile; test/unit/openapi.test.ts checks
 * the same at run time against the table.
 */
export const routeDocs: Record<RouteKeyOf<FunctionName>, RouteDoc> = {
  'GET /v1/health': {
    summary: 'Health: the API can reach its table',
    tag: 'Public',
    responses: { 200: responses.healthResponse },
    errors: { 503: ['service_unavailable'] },
  },
  'GET /v1/keys': {
    summary: 'Public keys (JWKS) that verify license documents',
    tag: 'Public',
    responses: { 200: responses.keysResponse },
  },
  'GET /v1/openapi.json': {
    summary: 'This OpenAPI document',
    tag: 'Public',
    responses: { 200: responses.openApiDocument },
  },

  'POST /v1/partners': {
    summary: 'Register a channel partner; its API key is shown only in this answer',
    tag: 'Partners and customers',
    body: createPartnerRequest,
    responses: { 201: responses.partnerCreatedResponse },
  },
  'POST /v1/customers': {
    summary: 'Register a customer, screened for export control',
    tag: 'Partners and customers',
    body: createCustomerRequest,
    responses: { 201: responses.customerView },
    errors: { 422: ['partner_not_found', 'consent_required'] },
  },
  'GET /v1/customers': {
    summary: 'Customers the caller may see, newest first (ops all, a partner its own)',
    tag: 'Partners and customers',
    query: listQuery,
    responses: { 200: responses.customerList },
    errors: { 400: ['invalid_cursor'] },
  },
  'GET /v1/customers/{customerId}': {
    summary: 'A customer',
    tag: 'Partners and customers',
    responses: { 200: responses.customerView },
    errors: { 404: ['customer_not_found'] },
  },
  'PATCH /v1/customers/{customerId}': {
    summary: 'Correct the end-user data of a customer; a new country re-screens it',
    tag: 'Partners and customers',
    body: changeCustomerRequest,
    responses: { 200: responses.customerView },
    errors: { 404: ['customer_not_found'] },
  },
  'PUT /v1/customers/{customerId}/verification': {
    summary: 'Record the outcome of a screening done outside the service',
    tag: 'Partners and customers',
    body: verificationRequest,
    responses: { 200: responses.customerView },
    errors: { 404: ['customer_not_found'] },
  },
  'GET /v1/customers/{customerId}/personal-data': {
    summary: "Export the customer's personal data",
    tag: 'Partners and customers',
    responses: { 200: responses.personalDataResponse },
    errors: { 404: ['customer_not_found'] },
  },
  'DELETE /v1/customers/{customerId}/personal-data': {
    summary: "Erase the customer's personal data (contacts and notification e-mails)",
    tag: 'Partners and customers',
    responses: { 204: null },
    errors: { 404: ['customer_not_found'] },
  },

  'PUT /v1/catalog/versions/{version}': {
    summary: 'Create or correct a product version and its general availability',
    tag: 'Catalog',
    body: putCatalogVersionRequest,
    responses: { 200: responses.catalogVersionView },
  },
  'GET /v1/catalog/versions': {
    summary: 'Product versions of the catalog',
    tag: 'Catalog',
    query: listQuery,
    responses: { 200: responses.catalogVersionList },
    errors: { 400: ['invalid_cursor'] },
  },
  'PUT /v1/catalog/eulas/{eulaVersion}': {
    summary: 'Set the status of an EULA version (exactly one is current)',
    tag: 'Catalog',
    body: putEulaRequest,
    responses: { 200: responses.eulaView },
    errors: { 409: ['eula_current'] },
  },
  'GET /v1/catalog/eulas': {
    summary: 'EULA versions of the catalog',
    tag: 'Catalog',
    query: listQuery,
    responses: { 200: responses.eulaList },
    errors: { 400: ['invalid_cursor'] },
  },

  'POST /v1/licenses': {
    summary: 'Issue a license (SLC)',
    tag: 'Licenses',
    body: issueLicenseRequest,
    responses: { 201: responses.licenseView },
    errors: { 422: ['customer_not_found', 'customer_not_verified', 'unknown_product_version', 'edition_limit', 'add_on_not_available'] },
  },
  'GET /v1/licenses': {
    summary: 'Licenses the caller may see, newest first, optionally narrowed by customer or partner',
    tag: 'Licenses',
    query: licenseListQuery,
    responses: { 200: responses.licenseList },
    errors: { 400: ['invalid_cursor'] },
  },
  'GET /v1/licenses/{slc}': {
    summary: 'A license',
    tag: 'Licenses',
    responses: { 200: responses.licenseView },
    errors: { 404: ['license_not_found'] },
  },
  'GET /v1/licenses/{slc}/installations': {
    summary: 'The installations of a license',
    tag: 'Licenses',
    query: listQuery,
    responses: { 200: responses.licenseInstallationList },
    errors: { 400: ['invalid_cursor'], 404: ['license_not_found'] },
  },
  'PATCH /v1/licenses/{slc}': {
    summary: 'Change the entitlements of a license',
    tag: 'Licenses',
    body: changeLicenseRequest,
    responses: { 200: responses.licenseView },
    errors: {
      404: ['license_not_found'],
      409: ['entitlement_below_usage', 'edition_limits_exceeded', 'license_revoked'],
      422: ['add_on_not_available', 'edition_limit', 'unknown_product_version', 'version_downgrade'],
    },
  },
  'PUT /v1/licenses/{slc}/care-plus': {
    summary: 'Set (or end) Care Plus of a license',
    tag: 'Licenses',
    body: carePlusRequest,
    responses: { 200: responses.licenseView },
    errors: { 404: ['license_not_found'], 409: ['license_revoked'] },
  },
  'POST /v1/licenses/{slc}/revoke': {
    summary: 'Revoke a license, immediately and finally',
    tag: 'Licenses',
    body: revokeLicenseRequest,
    responses: { 200: responses.licenseView },
    errors: { 404: ['license_not_found'], 409: ['license_revoked'] },
  },
  'POST /v1/licenses/{slc}/transfer': {
    summary: 'Transfer a license to another customer',
    tag: 'Licenses',
    body: transferLicenseRequest,
    responses: { 200: responses.licenseView },
    errors: {
      404: ['license_not_found'],
      409: ['license_revoked', 'transfer_to_same_customer'],
      422: ['customer_not_found', 'customer_not_verified', 'eula_not_accepted'],
    },
  },
  'GET /v1/licenses/{slc}/devices': {
    summary: 'Every device ever registered under the license',
    tag: 'Licenses',
    query: listQuery,
    responses: { 200: responses.licenseDeviceList },
    errors: { 400: ['invalid_cursor'], 404: ['license_not_found'] },
  },
  'GET /v1/licenses/{slc}/events': {
    summary: 'The audit trail of the license, newest first',
    tag: 'Licenses',
    query: listQuery,
    responses: { 200: responses.auditEventList },
    errors: { 400: ['invalid_cursor'], 404: ['license_not_found'] },
  },

  'DELETE /v1/installations/{installationId}': {
    summary: 'Release every device of an installation and retire it',
    tag: 'Installations (ops)',
    responses: { 204: null },
    errors: { 404: INSTALLATION_NOT_FOUND, 503: ['service_unavailable'] },
  },
  'POST /v1/installations/{installationId}/credentials': {
    summary: 'Issue a new installation secret; the old one stops working',
    tag: 'Installations (ops)',
    responses: { 200: responses.credentialsResponse },
    errors: { 404: INSTALLATION_NOT_FOUND },
  },
  'GET /v1/stats/integrations': {
    summary: 'How many installations report each integration',
    tag: 'Installations (ops)',
    responses: { 200: responses.integrationStatistics },
  },
  'GET /v1/me': {
    summary: 'Who the caller is: role, user and tenant',
    tag: 'Users',
    responses: { 200: responses.meView },
  },
  'POST /v1/users': {
    summary: 'Create a dashboard user; it is invited with a temporary password',
    tag: 'Users',
    body: createUserRequest,
    responses: { 201: responses.userCreated },
    errors: USER_CREATION_REFUSALS,
  },
  'GET /v1/users': {
    summary: 'The dashboard users of the cell',
    tag: 'Users',
    query: listQuery,
    responses: { 200: responses.userList },
    errors: { 400: ['invalid_cursor'] },
  },
  'DELETE /v1/users/{userId}': {
    summary: "Delete a dashboard user; its tokens stop working at once",
    tag: 'Users',
    responses: { 204: null },
    errors: { 404: ['user_not_found'], 503: ['service_unavailable'] },
  },

  'POST /v1/activations': {
    summary: 'Activate: first activation with the SLC, or a signed re-activation',
    tag: 'Activation',
    body: activationRequestSchema,
    responses: { 200: responses.activationResponse, 201: responses.activationResponse },
    errors: {
      400: ['duplicate_device'],
      401: ['invalid_identity_document'],
      403: [...LICENSE_REFUSALS[403]],
      404: [...LICENSE_REFUSALS[404], 'installation_not_found'],
      409: ['installation_exists', 'installation_limit_reached'],
      422: ['eula_not_accepted', 'recording_server_limit', 'failover_not_licensed'],
      503: ['service_unavailable'],
    },
  },
  'POST /v1/activations/ami': {
    summary: 'First activation of an AMI with an included license',
    tag: 'Activation',
    body: amiActivationRequestSchema,
    headers: {
      'X-Product-Version': {
        schema: productVersion,
        required: true,
        description: 'The XProtect version of the AMI, "YYYY R1|R2|R3".',
      },
    },
    responses: { 200: responses.activationResponse, 201: responses.activationResponse },
    errors: {
      400: ['duplicate_device'],
      401: ['invalid_identity_document'],
      403: ['not_an_included_license_ami', ...LICENSE_REFUSALS[403]],
      409: ['installation_exists', 'installation_limit_reached'],
      422: ['eula_not_accepted', 'unknown_product_version', 'recording_server_limit', 'failover_not_licensed'],
      503: ['service_unavailable'],
    },
  },
  'POST /v1/offline-activations': {
    summary: 'Offline activation: upload an activation request file, get the license file back',
    tag: 'Activation',
    body: activationRequestFile,
    responses: { 200: responses.licenseFile, 201: responses.licenseFile },
    errors: { ...ACTIVATION_REFUSALS, 401: ['invalid_signature', 'stale_request', 'invalid_identity_document'] },
  },

  'GET /v1/installations/{installationId}/license': {
    summary: 'Check in: a freshly signed license document',
    tag: 'Installation',
    responses: { 200: responses.checkInResponse },
    errors: { 403: [...LICENSE_REFUSALS[403]], 404: INSTALLATION_NOT_FOUND },
  },
  'PUT /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}': {
    summary: 'Register a mobile server',
    tag: 'Installation',
    path: mobileServerPath,
    body: putMobileServerRequest,
    responses: { 200: responses.mobileServerView },
    errors: { 403: ['license_revoked'], 404: INSTALLATION_NOT_FOUND, 422: ['mobile_server_limit_reached'] },
  },
  'GET /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}': {
    summary: 'A mobile server with its push devices and (masked) e-mails',
    tag: 'Installation',
    path: mobileServerPath,
    responses: { 200: responses.mobileServerView },
    errors: { 403: ['license_revoked'], 404: [...INSTALLATION_NOT_FOUND, 'mobile_server_not_found'] },
  },
  'DELETE /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}': {
    summary: 'Remove a mobile server, its push devices and e-mails',
    tag: 'Installation',
    path: mobileServerPath,
    responses: { 204: null },
    errors: { 403: ['license_revoked'], 404: [...INSTALLATION_NOT_FOUND, 'mobile_server_not_found'] },
  },
  'PUT /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}/devices/{deviceGuid}': {
    summary: 'Register a push device of a mobile server',
    tag: 'Installation',
    path: pushDevicePath,
    body: putPushDeviceRequest,
    responses: { 200: responses.mobileServerView },
    errors: { 403: ['license_revoked'], 404: [...INSTALLATION_NOT_FOUND, 'mobile_server_not_found'], 422: ['push_device_limit_reached'] },
  },
  'DELETE /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}/devices/{deviceGuid}': {
    summary: 'Remove a push device',
    tag: 'Installation',
    path: pushDevicePath,
    responses: { 204: null },
    errors: { 403: ['license_revoked'], 404: [...INSTALLATION_NOT_FOUND, 'mobile_server_not_found', 'push_device_not_found'] },
  },
  'PUT /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}/emails': {
    summary: 'Replace the notification e-mails of a mobile server',
    tag: 'Installation',
    path: mobileServerPath,
    body: putEmailsRequest,
    responses: { 200: responses.mobileServerView },
    errors: { 403: ['license_revoked'], 404: [...INSTALLATION_NOT_FOUND, 'mobile_server_not_found'] },
  },
  'POST /v1/installations/{installationId}/notifications': {
    summary: "Send a notification to a mobile server's devices and e-mails (needs Care Plus)",
    tag: 'Installation',
    body: sendNotificationRequest,
    responses: { 202: responses.notificationSentResponse },
    errors: { 403: ['license_revoked', ...CARE_PLUS], 404: [...INSTALLATION_NOT_FOUND, 'mobile_server_not_found'], 429: ['rate_limited'] },
  },
  'GET /v1/installations/{installationId}/notifications/{notificationId}': {
    summary: 'A notification and its deliveries',
    tag: 'Installation',
    responses: { 200: responses.notificationView },
    errors: { 403: ['license_revoked'], 404: [...INSTALLATION_NOT_FOUND, 'notification_not_found'] },
  },
  'PUT /v1/installations/{installationId}/smart-connect': {
    summary: 'Set the Smart Connect address (needs Care Plus)',
    tag: 'Installation',
    body: putSmartConnectRequest,
    responses: { 200: responses.smartConnectView },
    errors: { 403: ['license_revoked', ...CARE_PLUS], 404: INSTALLATION_NOT_FOUND },
  },
  'GET /v1/installations/{installationId}/smart-connect': {
    summary: 'The Smart Connect address (needs Care Plus)',
    tag: 'Installation',
    responses: { 200: responses.smartConnectView },
    errors: { 403: ['license_revoked', ...CARE_PLUS], 404: [...INSTALLATION_NOT_FOUND, 'smart_connect_not_configured'] },
  },
  'POST /v1/installations/{installationId}/health': {
    summary: 'Submit a health report (with consent)',
    tag: 'Installation',
    body: healthReportRequest,
    responses: { 202: responses.healthReportReceived },
    errors: { 403: ['license_revoked'], 404: INSTALLATION_NOT_FOUND, 422: ['consent_required'] },
  },

  'GET /v1/partner/customers': {
    summary: "The partner's customers",
    tag: 'Partner',
    query: listQuery,
    responses: { 200: responses.customerList },
    errors: { 400: ['invalid_cursor'] },
  },
  'POST /v1/partner/customers': {
    summary: 'Register a customer of the partner',
    tag: 'Partner',
    body: createPartnerCustomerRequest,
    responses: { 201: responses.customerView },
    errors: { 422: ['consent_required'] },
  },
  'GET /v1/partner/licenses': {
    summary: "The partner's licenses",
    tag: 'Partner',
    query: listQuery,
    responses: { 200: responses.licenseList },
    errors: { 400: ['invalid_cursor'] },
  },
  'GET /v1/partner/installations/{installationId}': {
    summary: 'An installation of one of the partner’s licenses',
    tag: 'Partner',
    responses: { 200: responses.partnerInstallationView },
    errors: { 404: INSTALLATION_NOT_FOUND },
  },
  'GET /v1/partner/installations/{installationId}/health': {
    summary: 'The latest health reports of an installation (needs Care Plus)',
    tag: 'Partner',
    query: listQuery,
    responses: { 200: responses.healthReportList },
    errors: { 400: ['invalid_cursor'], 403: ['license_revoked', ...CARE_PLUS], 404: INSTALLATION_NOT_FOUND },
  },
  'POST /v1/partner/users': {
    summary: "Create a user of the partner or of one of the partner's customers",
    tag: 'Partner',
    body: createUserRequest,
    responses: { 201: responses.userCreated },
    errors: USER_CREATION_REFUSALS,
  },
  'GET /v1/partner/users': {
    summary: "The partner's users and its customers' users",
    tag: 'Partner',
    query: listQuery,
    responses: { 200: responses.userList },
    errors: { 400: ['invalid_cursor'] },
  },
  'POST /v1/partner/webhooks': {
    summary: 'Register a webhook (Standard Webhooks; the secret is shown only here)',
    tag: 'Partner',
    body: createWebhookRequest,
    responses: { 201: responses.webhookCreated },
    errors: { 422: ['invalid_webhook_url'] },
  },
  'GET /v1/partner/webhooks': {
    summary: "The partner's webhooks",
    tag: 'Partner',
    query: listQuery,
    responses: { 200: responses.webhookList },
    errors: { 400: ['invalid_cursor'] },
  },
  'DELETE /v1/partner/webhooks/{webhookId}': {
    summary: 'Delete a webhook',
    tag: 'Partner',
    responses: { 204: null },
    errors: { 404: ['webhook_not_found'] },
  },
  'GET /v1/partner/webhooks/{webhookId}/deliveries': {
    summary: "A webhook's deliveries",
    tag: 'Partner',
    query: listQuery,
    responses: { 200: responses.webhookDeliveryList },
    errors: { 400: ['invalid_cursor'], 404: ['webhook_not_found'] },
  },
  'POST /v1/jobs/care-plus-reminders': {
    summary: 'Run the Care Plus reminder job now',
    tag: 'Licenses',
    responses: { 200: responses.reminderRun },
  },
};
