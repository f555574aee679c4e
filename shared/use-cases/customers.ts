import { randomUUID } from 'node:crypto';
import { clock } from '../adapters/clock';
import { config } from '../config';
import { screenCustomer } from '../domain/export-control';
import { notFound, unprocessable } from '../http/errors';
import type { Caller } from '../http/types';
import { getCustomer, listPartnerCustomers, putNewCustomer } from '../store/customers';
import type { Page } from '../store/pagination';
import { getPartner } from '../store/partners';
import type { CustomerRecord } from '../store/records';
import { callerMaySee } from './visibility';

export interface CustomerView {
  customerId: string;
  name: string;
  country: string;
  partnerId: string | null;
  verification: 'verified' | 'rejected';
  verificationReason: null | 'export_control';
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
    createdAt: customer.createdAt,
  };
}

export interface RegisterCustomerInput {
  name: string;
  country: string;
  contacts: CustomerRecord['contacts'];
  partnerId?: string | null;
}

/** Registers a customer, screened against the sanctions list; an unknown partner is 422 partner_not_found. */
export async function registerCustomer(input: RegisterCustomerInput): Promise<CustomerRecord> {
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
    createdAt: clock.now().toISOString(),
  };
  await putNewCustomer(customer);
  return customer;
}

/** A customer the caller may see; 404 customer_not_found otherwise. */
export async function findCustomerFor(caller: Caller, customerId: string): Promise<CustomerRecord> {
  const customer = await getCustomer(customerId);
  if (!customer || !callerMaySee(caller, customer.partnerId, customer.customerId)) {
    throw notFound('customer_not_found', 'No customer has this customerId.');
  }
  return customer;
}

export const customersOfPartner = (partnerId: string, limit: number, cursor?: string): Promise<Page<CustomerRecord>> =>
  listPartnerCustomers(partnerId, limit, cursor);
