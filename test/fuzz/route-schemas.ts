import type * as z from 'zod/mini';
import { activationRequestSchema, amiActivationRequestSchema } from '../../shared/schemas/activation';
import { putCatalogVersionRequest } from '../../shared/schemas/catalog';
import { listQuery } from '../../shared/schemas/common';
import { createCustomerRequest, createPartnerCustomerRequest } from '../../shared/schemas/customers';
import { carePlusRequest, changeLicenseRequest, issueLicenseRequest, revokeLicenseRequest, transferLicenseRequest } from '../../shared/schemas/licenses';
import { createPartnerRequest } from '../../shared/schemas/partners';
import { createWebhookRequest } from '../../shared/schemas/webhooks';
import {
  healthReportRequest,
  putEmailsRequest,
  putMobileServerRequest,
  putPushDeviceRequest,
  putSmartConnectRequest,
  sendNotificationRequest,
} from '../../shared/schemas/push';

/**
 * The request schemas each route parses (read off functions/<group>/<area>.ts). Every route that
 * takes a body must be here; test/fuzz/api-fuzz.test.ts checks that against the route table.
 */
export const bodySchemas: Record<string, z.ZodMiniType> = {
  'POST /v1/partners': createPartnerRequest,
  'POST /v1/customers': createCustomerRequest,
  'PUT /v1/catalog/versions/{version}': putCatalogVersionRequest,
  'POST /v1/licenses': issueLicenseRequest,
  'PATCH /v1/licenses/{slc}': changeLicenseRequest,
  'PUT /v1/licenses/{slc}/care-plus': carePlusRequest,
  'POST /v1/licenses/{slc}/revoke': revokeLicenseRequest,
  'POST /v1/licenses/{slc}/transfer': transferLicenseRequest,
  'POST /v1/activations': activationRequestSchema,
  'POST /v1/activations/ami': amiActivationRequestSchema,
  'PUT /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}': putMobileServerRequest,
  'PUT /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}/devices/{deviceGuid}': putPushDeviceRequest,
  'PUT /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}/emails': putEmailsRequest,
  'POST /v1/installations/{installationId}/notifications': sendNotificationRequest,
  'PUT /v1/installations/{installationId}/smart-connect': putSmartConnectRequest,
  'POST /v1/installations/{installationId}/health': healthReportRequest,
  'POST /v1/partner/customers': createPartnerCustomerRequest,
  'POST /v1/partner/webhooks': createWebhookRequest,
};

/** Routes whose body may be absent or empty and still be accepted (every field optional). */
export const bodyOptional = new Set(['PUT /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}']);

/** Routes that take `?limit=` and `?cursor=` (and refuse other query parameters). */
export const listRoutes: Record<string, z.ZodMiniType> = {
  'GET /v1/catalog/versions': listQuery,
  'GET /v1/licenses/{slc}/devices': listQuery,
  'GET /v1/licenses/{slc}/events': listQuery,
  'GET /v1/partner/customers': listQuery,
  'GET /v1/partner/licenses': listQuery,
  'GET /v1/partner/installations/{installationId}/health': listQuery,
  'GET /v1/partner/webhooks': listQuery,
  'GET /v1/partner/webhooks/{webhookId}/deliveries': listQuery,
};

/** Routes that take no body: every method but POST, PUT and PATCH; and the POSTs without one. */
export const noBodyRoutes = new Set(['POST /v1/installations/{installationId}/credentials', 'POST /v1/jobs/care-plus-reminders']);
