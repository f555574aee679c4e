import { listAll, type Api, type Customer, type License, type Me } from '../api';
import { DataTable, ErrorAlert, Loading, useLoad } from '../components';
import { hrefOf } from '../route';

interface LicensesData {
  licenses: License[];
  customers: Map<string, string>;
}

/** Customer names for the table: every customer the caller may list, or a customer user's own. */
async function customerNames(api: Api, me: Me): Promise<Map<string, string>> {
  if (me.role === 'customer-admin' || me.role === 'customer-user') {
    const own = await api<Customer>('GET', `/v1/customers/${encodeURIComponent(me.customerId!)}`);
    return new Map([[own.customerId, own.name]]);
  }
  const customers = await listAll<Customer>(api, '/v1/customers');
  return new Map(customers.map((customer) => [customer.customerId, customer.name]));
}

export function Licenses({ api, me }: { api: Api; me: Me }) {
  const loaded = useLoad<LicensesData>(
    async (client, partial) => {
      const names = customerNames(client, me);
      const licenses = await listAll<License>(client, '/v1/licenses', (items) => partial({ licenses: items, customers: new Map() }));
      return { licenses, customers: await names };
    },
    api,
    [me.role, me.customerId],
  );
  const data = loaded.state === 'loaded' ? loaded.data : loaded.state === 'loading' ? loaded.partial : undefined;

  return (
    <section aria-labelledby="licenses-heading">
      <h1 id="licenses-heading">Licenses</h1>
      {loaded.state === 'loading' && <Loading what="licenses" />}
      {loaded.state === 'failed' && <ErrorAlert error={loaded.error} />}
      {data && (
        <DataTable
          name="Licenses"
          rows={data.licenses}
          rowKey={(license) => license.slc}
          empty="No licenses."
          columns={[
            { header: 'SLC', cell: (l) => <a href={hrefOf({ page: 'license', slc: l.slc })}>{l.slc}</a> },
            { header: 'Customer', cell: (l) => data.customers.get(l.customerId) ?? l.customerId },
            { header: 'Product', cell: (l) => l.product },
            { header: 'Version', cell: (l) => l.version },
            { header: 'Device licenses', cell: (l) => `${l.usage.deviceLicenses} of ${l.entitlements.deviceLicenses}` },
            { header: 'Care Plus', cell: (l) => (l.carePlus.validUntil ? `${l.carePlus.active ? 'Until' : 'Ended'} ${l.carePlus.validUntil.slice(0, 10)}` : 'None') },
            { header: 'Status', cell: (l) => l.status },
          ]}
        />
      )}
    </section>
  );
}
