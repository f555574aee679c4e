import { useState, type FormEvent } from 'react';
import { listAll, type Api, type Customer, type Me } from '../api';
import { DataTable, ErrorAlert, Loading, useLoad } from '../components';

const CONSENT_LABEL = 'End user accepted the EULA and consents to sharing personal data';

export function Customers({ api, me }: { api: Api; me: Me }) {
  const [created, setCreated] = useState<Customer[]>([]);
  const loaded = useLoad<Customer[]>((client) => listAll<Customer>(client, '/v1/customers'), api, [me.role]);
  const known = loaded.state === 'loaded' ? loaded.data : [];
  const rows = [...known, ...created.filter((customer) => !known.some((k) => k.customerId === customer.customerId))];

  return (
    <section aria-labelledby="customers-heading">
      <h1 id="customers-heading">Customers</h1>
      <CreateCustomer api={api} me={me} onCreated={(customer) => setCreated((list) => [...list, customer])} />
      {loaded.state === 'loading' && <Loading what="customers" />}
      {loaded.state === 'failed' && <ErrorAlert error={loaded.error} />}
      {loaded.state === 'loaded' && (
        <DataTable
          name="Customers"
          rows={rows}
          rowKey={(customer) => customer.customerId}
          empty="No customers."
          columns={[
            { header: 'Name', cell: (c) => c.name },
            { header: 'Country', cell: (c) => c.country },
            { header: 'Verification', cell: (c) => c.verification },
            { header: 'Customer ID', cell: (c) => <code>{c.customerId}</code> },
          ]}
        />
      )}
    </section>
  );
}

function CreateCustomer({ api, me, onCreated }: { api: Api; me: Me; onCreated: (customer: Customer) => void }) {
  const partner = me.role === 'partner';
  const [fields, setFields] = useState({ name: '', country: '', contactName: '', contactEmail: '' });
  const [consent, setConsent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const set = (field: keyof typeof fields) => (event: { target: { value: string } }) => setFields({ ...fields, [field]: event.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(null);
    if (partner && !consent) {
      setError(`Tick "${CONSENT_LABEL}" before creating the customer.`);
      return;
    }
    setBusy(true);
    try {
      const body = {
        name: fields.name.trim(),
        country: fields.country.trim().toUpperCase(),
        contacts: [{ name: fields.contactName.trim(), email: fields.contactEmail.trim() }],
        ...(partner ? { endUserConsent: { eulaAccepted: true, personalDataConsent: true } } : {}),
      };
      const customer = await api<Customer>('POST', partner ? '/v1/partner/customers' : '/v1/customers', body);
      onCreated(customer);
      setDone(`Customer ${customer.name} created (${customer.verification}).`);
      setFields({ name: '', country: '', contactName: '', contactEmail: '' });
      setConsent(false);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="create-customer-heading" noValidate>
      <h2 id="create-customer-heading">New customer</h2>
      <label htmlFor="customer-name">Name</label>
      <input id="customer-name" required maxLength={200} value={fields.name} onChange={set('name')} />
      <label htmlFor="customer-country">Country</label>
      <input id="customer-country" required maxLength={2} aria-describedby="country-hint" value={fields.country} onChange={set('country')} />
      <span id="country-hint" className="hint">
        ISO code, for example DK
      </span>
      <label htmlFor="contact-name">Contact name</label>
      <input id="contact-name" required maxLength={200} value={fields.contactName} onChange={set('contactName')} />
      <label htmlFor="contact-email">Contact email</label>
      <input id="contact-email" type="email" required value={fields.contactEmail} onChange={set('contactEmail')} />
      {partner && (
        <div className="checkbox">
          <input id="consent" type="checkbox" checked={consent} onChange={(event) => setConsent(event.target.checked)} />
          <label htmlFor="consent">{CONSENT_LABEL}</label>
        </div>
      )}
      <button type="submit" disabled={busy}>
        Create customer
      </button>
      <ErrorAlert error={error} />
      {done && <p role="status">{done}</p>}
    </form>
  );
}
