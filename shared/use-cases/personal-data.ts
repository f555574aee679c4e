import { logger } from '../adapters/observability';
import { notFound } from '../errors';
import { getCustomer } from '../store/customers';
import { listLicenseInstallations } from '../store/installations';
import { eraseCustomerContacts, listCustomerLicenseSlcs } from '../store/personal-data';
import { eraseNotificationEmails, listMobileServers } from '../store/push';
import type { CustomerRecord } from '../store/records';

/**
 * Personal data of a customer (API.md §4): the contacts of the customer record, and the
 * notification e-mail addresses of the mobile servers of every installation of every license of
 * the customer. License and device data are not personal data here and stay on erasure.
 */
export interface PersonalDataExport {
  customerId: string;
  contacts: CustomerRecord['contacts'];
  notificationEmails: Array<{ slc: string; installationId: string; mobileServerGuid: string; emails: string[] }>;
}

const customerNotFound = () => notFound('customer_not_found', 'No such customer.');

async function mobileServersOfCustomer(customerId: string) {
  const result: Array<{ slc: string; installationId: string; guid: string; emails: string[] }> = [];
  for (const slc of await listCustomerLicenseSlcs(customerId)) {
    for (const { installationId } of await listLicenseInstallations(slc)) {
      for (const server of await listMobileServers(installationId)) {
        result.push({ slc, installationId, guid: server.guid, emails: server.emails });
      }
    }
  }
  return result;
}

/** Everything personal stored about the customer, unmasked: this export is the one place addresses are shown in full. */
export async function exportPersonalData(customerId: string): Promise<PersonalDataExport> {
  const customer = customerId.length <= 128 ? await getCustomer(customerId) : undefined;
  if (!customer) throw customerNotFound();
  const servers = await mobileServersOfCustomer(customerId);
  logger.info('personal data exported', { customerId, mobileServers: servers.length });
  return {
    customerId,
    contacts: customer.contacts ?? [],
    notificationEmails: servers
      .filter((server) => server.emails.length > 0)
      .map((server) => ({ slc: server.slc, installationId: server.installationId, mobileServerGuid: server.guid, emails: server.emails })),
  };
}

/**
 * Erases the contacts and every notification e-mail. Item by item (not one transaction), so it is
 * written to be repeated: a retry after a failure finishes the job.
 */
export async function erasePersonalData(customerId: string): Promise<void> {
  const customer = customerId.length <= 128 ? await getCustomer(customerId) : undefined;
  if (!customer) throw customerNotFound();
  const servers = await mobileServersOfCustomer(customerId);
  for (const server of servers) {
    if (server.emails.length > 0) await eraseNotificationEmails(server.installationId, server.guid);
  }
  if (!(await eraseCustomerContacts(customerId))) throw customerNotFound();
  logger.info('personal data erased', { customerId, mobileServers: servers.length });
}
