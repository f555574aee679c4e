import { randomUUID } from 'node:crypto';
import { clock } from '../adapters/clock';
import { config } from '../config';
import { consentFor, type EndUserConsentInput, type RecordedConsent } from '../domain/end-user-consent';
import { recordedScreening, rescreenForCountry, screenCustomer, type VerificationReason } from '../domain/export-control';
import { customerListPlan } from '../domain/scope';
import { badRequest, forbidden, notFound, unprocessable } from '../errors';
import type { Caller } from '../http/types';
import { getCustomer, listAllCustomers, listPartnerCustomers, putNewCustomer, writeCustomerChange, type CustomerChange } from '../store/customers';
import type { Page } from '../store/pagination';
import { getPartner } from '../store/partners';
import type { CustomerRecord } from '../store/records';
import { callerMaySee, scopeOf } from './visibility';

export interface CustomerView {
  customerId: string;
  name: string;
  country: string;
  partnerId: string | null;
  verification: 'verified' | 'rejected';
  verificationReason: null | VerificationReason;
  consent: RecordedConsent | null;
  createdAt: string;
}

/** The contract's customer view; contacts are personal data and only leave through `/personal-data`. */
export function toCustomerView(customer: CustomerRecord): CustomerView {
  return {
    customerId: customer.customerId,
    name: customer.name,
    country: customer.country,
    partnerId: customer.partnerId,
    verification: customer.verification,
    verificationReason: customer.verificationReason,
    consent: customer.consent ?? null,
    createdAt: customer.createdAt,
  };
}

export interface RegisterCustomerInput {
  name: string;
  country: string;
  contacts: CustomerRecord['contacts'];
  partnerId?: string | null;
  endUserConsent?: EndUserConsentInput | null;
}

const consentRequired = () =>
  unprocessable('consent_required', 'Registering an end user needs its acceptance of the EULA and its consent to share personal data (endUserConsent).');

/**
 * Registers a customer, screened against the sanctions list, with the end user's consent as the
 * registering caller (`ops` or `partner`) records it; an unknown partner is 422 partner_not_found.
 */
export async function registerCustomer(input: RegisterCustomerInput, recordedBy: 'ops' | 'partner'): Promise<CustomerRecord> {
  const createdAt = clock.now().toISOString();
  const consent = consentFor(input.endUserConsent, recordedBy, createdAt);
  if (consent.kind === 'refused') throw consentRequired();
  const partnerId = input.partnerId ?? null;
  if (partnerId !== null && !(await getPartner(partnerId))) {
    throw unprocessable('partner_not_found', 'No partner has this partnerId.');
  }
  const customer: CustomerRecord = {
    customerId: randomUUID(),
    name: input.name,
    country: input.country,
    partnerId,
    ...screenCustomer(input.country, config.sanctionedCountries()),
    contacts: input.contacts,
    consent: consent.kind === 'recorded' ? consent.consent : null,
    createdAt,
  };
  // Customer ids are random UUIDs: one found stored already is this write, repeated by the SDK after a lost answer.
  await putNewCustomer(customer);
  return customer;
}

const customerNotFound = () => notFound('customer_not_found', 'No customer has this customerId.');

/** A customer the caller may see; 404 customer_not_found otherwise. */
export async function findCustomerFor(caller: Caller, customerId: string): Promise<CustomerRecord> {
  const customer = await getCustomer(customerId);
  if (!customer || !callerMaySee(caller, customer)) throw customerNotFound();
  return customer;
}

/** Changes of one customer that met another change are re-read and decided again this often. */
const MAX_ATTEMPTS = 10;

async function changeCustomer(
  caller: Caller,
  customerId: string,
  decide: (current: CustomerRecord, at: string) => CustomerChange,
): Promise<CustomerRecord> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await findCustomerFor(caller, customerId);
    const at = clock.now().toISOString();
    const change = decide(current, at);
    if ((await writeCustomerChange(current, change, at)) === 'written') {
      return { ...current, ...change, revision: (current.revision ?? 0) + 1, updatedAt: at };
    }
  }
  throw new Error('the customer stayed contended');
}

export interface CustomerCorrection {
  name?: string;
  country?: string;
  contacts?: CustomerRecord['contacts'];
}

/**
 * §4 `PATCH /v1/customers/{id}` (ops, or the customer's partner): corrects the end-user data. EULA:
 * "It is your responsibility to provide correct and up-to-date data". A new country re-screens the
 * customer (rescreenForCountry); the same country again changes nothing about the screening.
 */
export async function correctCustomer(caller: Caller, customerId: string, correction: CustomerCorrection): Promise<CustomerRecord> {
  return changeCustomer(caller, customerId, (current) => {
    const change: CustomerChange = {};
    if (correction.name !== undefined) change.name = correction.name;
    if (correction.contacts !== undefined) change.contacts = correction.contacts;
    if (correction.country !== undefined && correction.country !== current.country) {
      change.country = correction.country;
      Object.assign(change, rescreenForCountry(current, correction.country, config.sanctionedCountries()));
    }
    return change;
  });
}

/** §4 `PUT /v1/customers/{id}/verification` (ops): records the outcome of a screening done outside the service. */
export async function recordVerification(
  customerId: string,
  outcome: { verification: 'verified' | 'rejected'; reason: VerificationReason; note?: string },
): Promise<CustomerRecord> {
  return changeCustomer({ role: 'ops' }, customerId, (_current, at) => ({
    ...recordedScreening(outcome),
    screening: { verification: outcome.verification, reason: outcome.reason, note: outcome.note ?? null, at },
  }));
}

export const customersOfPartner = (partnerId: string, limit: number, cursor?: string): Promise<Page<CustomerRecord>> =>
  listPartnerCustomers(partnerId, limit, cursor);

/** §4 `GET /v1/customers`: the customers in the caller's scope, newest first (ops all, a partner its own). */
export async function customersFor(caller: Caller, limit: number, cursor?: string): Promise<Page<CustomerRecord>> {
  const scope = scopeOf(caller);
  if (!scope) throw forbidden('forbidden', 'These credentials are not for this route.');
  const plan = customerListPlan(scope);
  switch (plan.source) {
    case 'all':
      return listAllCustomers(limit, cursor);
    case 'partner':
      return listPartnerCustomers(plan.partnerId, limit, cursor, { newestFirst: true });
    case 'one': {
      if (cursor !== undefined) throw badRequest('invalid_cursor', 'The cursor is not one this list returned.');
      const customer = await getCustomer(plan.customerId);
      return { items: customer ? [customer] : [], nextCursor: null };
    }
  }
}
