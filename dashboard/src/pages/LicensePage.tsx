import { carePlusNotice } from '../../../shared/domain/care-plus';
import { useState } from 'react';
import { listAll, type Api, type AuditEvent, type Device, type Installation, type License, type Page } from '../api';
import { DataTable, ErrorAlert, Loading, formatTime, useLoad } from '../components';

interface LicenseData {
  license: License;
  installations: Installation[];
  devices: Page<Device>;
  events: AuditEvent[];
}

const deploymentOf = (installation: Installation) =>
  typeof installation.deployment === 'string' ? installation.deployment : installation.deployment.type;

export function LicensePage({ api, slc }: { api: Api; slc: string }) {
  const path = `/v1/licenses/${encodeURIComponent(slc)}`;
  const loaded = useLoad<LicenseData>(
    async (client) => {
      const [license, installations, devices, events] = await Promise.all([
        client<License>('GET', path),
        listAll<Installation>(client, `${path}/installations`),
        client<Page<Device>>('GET', `${path}/devices?limit=100`),
        client<{ items: AuditEvent[] }>('GET', `${path}/events?limit=100`).then((page) => page.items),
      ]);
      return { license, installations, devices, events };
    },
    api,
    [slc],
  );

  return (
    <article>
      <h1>{slc}</h1>
      {loaded.state === 'loading' && <Loading what="the license" />}
      {loaded.state === 'failed' && <ErrorAlert error={loaded.error} />}
      {loaded.state === 'loaded' && <LicenseDetails api={api} path={path} data={loaded.data} />}
    </article>
  );
}

function LicenseDetails({ api, path, data }: { api: Api; path: string; data: LicenseData }) {
  const { license } = data;
  const [devices, setDevices] = useState(data.devices);
  const [moreError, setMoreError] = useState<unknown>(null);
  const loadMore = async () => {
    try {
      const next = await api<Page<Device>>('GET', `${path}/devices?limit=100&cursor=${encodeURIComponent(devices.nextCursor!)}`);
      setDevices({ items: [...devices.items, ...next.items], nextCursor: next.nextCursor });
    } catch (error) {
      setMoreError(error);
    }
  };
  const notice = carePlusNotice(license.carePlus.validUntil, new Date());
  return (
    <>
      <dl className="facts">
        <dt>Product</dt>
        <dd>
          {license.product} {license.version}
        </dd>
        <dt>Device licenses</dt>
        <dd>
          {license.usage.deviceLicenses} of {license.entitlements.deviceLicenses}
        </dd>
        <dt>Status</dt>
        <dd>{license.status}</dd>
        <dt>Care Plus</dt>
        <dd>{license.carePlus.validUntil ? `valid until ${license.carePlus.validUntil.slice(0, 10)}` : 'none'}</dd>
      </dl>
      {notice && (
        <p className={notice === 'Care Plus expired' ? 'notice expired' : 'notice'}>
          {notice}. <span>Renew Care Plus with your partner to keep Smart Connect, mobile push and dashboard features.</span>
        </p>
      )}
      <DataTable
        name="Installations"
        rows={data.installations}
        rowKey={(i) => i.installationId}
        empty="No installations."
        columns={[
          { header: 'Installation', cell: (i) => <code>{i.installationId}</code> },
          { header: 'Status', cell: (i) => i.status },
          { header: 'Deployment', cell: deploymentOf },
          { header: 'Management server', cell: (i) => i.managementServer?.hostname ?? '—' },
          { header: 'Devices', cell: (i) => `${i.devices.activated} activated, ${i.devices.disabled} disabled` },
          { header: 'Last activation', cell: (i) => (i.lastActivation ? `${formatTime(i.lastActivation.at)} from ${i.lastActivation.sourceIp}` : '—') },
          { header: 'Last seen', cell: (i) => formatTime(i.lastSeenAt) },
        ]}
      />
      <DataTable
        name="Devices"
        rows={devices.items}
        rowKey={(d) => d.mac}
        empty="No devices."
        columns={[
          { header: 'MAC', cell: (d) => <code>{d.mac}</code> },
          { header: 'Status', cell: (d) => d.status },
          { header: 'Licenses', cell: (d) => d.licenses },
          { header: 'Registrations', cell: (d) => d.registrations },
          { header: 'Deletions', cell: (d) => d.deletions },
          { header: 'Last changed', cell: (d) => formatTime(d.lastChangedAt) },
        ]}
      />
      {devices.nextCursor && (
        <button type="button" onClick={loadMore}>
          Load more devices
        </button>
      )}
      <ErrorAlert error={moreError} />
      <DataTable
        name="Events"
        rows={data.events}
        rowKey={(e) => e.eventId}
        empty="No events."
        columns={[
          { header: 'Time', cell: (e) => formatTime(e.at) },
          { header: 'Type', cell: (e) => e.type },
          { header: 'Actor', cell: (e) => e.actor },
          { header: 'Source IP', cell: (e) => e.sourceIp ?? '—' },
        ]}
      />
    </>
  );
}
