import { randomUUID } from 'node:crypto';
import type { Api, InstallationCredentials } from '../support/api';
import { signIdentityDocument, type SignedIdentityDocument } from '../support/identity';
import { activationBody, camera } from '../support/licensing';

/**
 * A small but complete tenant landscape built through the API (partners, customers, catalog,
 * licenses of every edition, activated installations with mobile servers, push devices,
 * e-mails, notifications, Smart Connect and health reports), whose identifiers the fuzzer puts into
 * generated requests so that they get past the lookups and reach the rules behind them.
 */
export interface FuzzInstallation extends InstallationCredentials {
  slc: string;
  mobileServerGuids: string[];
  deviceGuids: string[];
  notificationIds: string[];
}

export interface World {
  partners: Array<{ partnerId: string; apiKey: string }>;
  customerIds: string[];
  versions: string[];
  slcs: string[];
  /** SLCs revoked along the way (kept in slcs for the ledger checks). */
  revokedSlcs: Set<string>;
  installations: FuzzInstallation[];
  /** Installations that were retired or whose license was revoked: refused, but still worth sending. */
  formerInstallations: FuzzInstallation[];
  macs: string[];
  identityDocuments: SignedIdentityDocument[];
}

async function expectStatus(response: Promise<{ status: number; body: any }>, status: number, what: string) {
  const result = await response;
  if (result.status !== status) throw new Error(`${what}: ${result.status} ${JSON.stringify(result.body).slice(0, 500)}`);
  return result.body;
}

const day = 86_400_000;

export async function buildWorld(api: Api): Promise<World> {
  const world: World = {
    partners: [],
    customerIds: [],
    versions: ['2024 R1', '2025 R1'],
    slcs: [],
    revokedSlcs: new Set(),
    installations: [],
    formerInstallations: [],
    macs: [],
    identityDocuments: [],
  };
  for (const version of world.versions) {
    await expectStatus(api.ops('PUT', `/v1/catalog/versions/${encodeURIComponent(version)}`, { generalAvailability: `${version.slice(0, 4)}-02-12` }), 200, 'catalog');
  }
  for (const name of ['Fuzz Partner One', 'Fuzz Partner Two']) {
    world.partners.push(await expectStatus(api.ops('POST', '/v1/partners', { name }), 201, 'partner'));
  }
  const contacts = [{ name: 'Fuzz Contact', email: 'fuzz.contact@example.com' }];
  const customer = async (body: Record<string, unknown>) =>
    (await expectStatus(api.ops('POST', '/v1/customers', { name: 'Fuzz Customer', country: 'DK', contacts, ...body }), 201, 'customer')).customerId as string;
  world.customerIds.push(
    await customer({ partnerId: world.partners[0]!.partnerId }),
    await customer({ partnerId: world.partners[1]!.partnerId }),
    await customer({}),
    await customer({ country: 'IR' }), // rejected by screening
  );
  await world.partners.reduce(async (previous, partner) => {
    await previous;
    world.customerIds.push((await expectStatus(api.request('POST', '/v1/partner/customers', { token: partner.apiKey, body: { name: 'Partner Customer', country: 'SE', contacts, endUserConsent: { eulaAccepted: true, personalDataConsent: true } } }), 201, 'partner customer')).customerId);
  }, Promise.resolve());

  const carePlus = { validUntil: new Date(Date.now() + 365 * day).toISOString() };
  const licenses: Array<Record<string, unknown>> = [
    { customerId: world.customerIds[0], product: 'corporate', deviceLicenses: 60, carePlus, addOns: { access: { doors: 4 }, smartWall: true } },
    { customerId: world.customerIds[1], product: 'expert', deviceLicenses: 40, carePlus },
    { customerId: world.customerIds[2], product: 'professional-plus', deviceLicenses: 30 },
    { customerId: world.customerIds[4], product: 'express-plus', deviceLicenses: 20, carePlus },
    { customerId: world.customerIds[5], product: 'essential-plus', deviceLicenses: 8 },
  ];
  for (const body of licenses) {
    world.slcs.push((await expectStatus(api.ops('POST', '/v1/licenses', { version: '2025 R1', ...body }), 201, 'license')).slc);
  }
  for (const [index, slc] of world.slcs.entries()) await addInstallation(api, world, slc, index < 2 ? 2 : 1);
  for (let i = 0; i < 12; i++) world.identityDocuments.push(signIdentityDocument());
  return world;
}

/** A first activation on the SLC, with a mobile server, a push device, e-mails and (with Care Plus) a notification. */
export async function addInstallation(api: Api, world: World, slc: string, count = 1): Promise<void> {
  for (let n = 0; n < count; n++) {
    const devices = [camera(), camera(), camera({ kind: 'encoder', videoChannels: 4 })];
    world.macs.push(...devices.map((device) => device.mac));
    const activation = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody(devices, { integrations: [{ manufacturer: 'Acme', name: 'Door Bridge', version: '3.1.0' }] }) } });
    if (activation.status !== 201) return; // an edition with one installation that has it already
    const installation: FuzzInstallation = {
      installationId: activation.body.installationId,
      installationSecret: activation.body.installationSecret,
      slc,
      mobileServerGuids: [randomUUID()],
      deviceGuids: [randomUUID()],
      notificationIds: [],
    };
    const base = `/v1/installations/${installation.installationId}`;
    const server = `${base}/mobile-servers/${installation.mobileServerGuids[0]}`;
    await expectStatus(api.signed(installation, 'PUT', server, { hostname: 'mobile-01' }), 200, 'mobile server');
    await expectStatus(api.signed(installation, 'PUT', `${server}/devices/${installation.deviceGuids[0]}`, { platform: 'ios', pushToken: `apns-${randomUUID()}` }), 200, 'push device');
    await expectStatus(api.signed(installation, 'PUT', `${server}/emails`, { emails: ['night.guard@example.com'] }), 200, 'e-mails');
    const sent = await api.signed(installation, 'POST', `${base}/notifications`, { mobileServerGuid: installation.mobileServerGuids[0], title: 'Motion', body: 'Lobby' });
    if (sent.status === 202) installation.notificationIds.push(sent.body.notificationId);
    await api.signed(installation, 'PUT', `${base}/smart-connect`, { publicAddress: 'vms.example.net', port: 8081 });
    await expectStatus(api.signed(installation, 'POST', `${base}/health`, { consent: true, status: 'ok' }), 202, 'health report');
    world.installations.push(installation);
  }
}

/**
 * Keeps the landscape usable while the fuzzer changes it: rotated credentials are taken over,
 * retired installations and revoked licenses move to the "former" pool, and new installations
 * replace them.
 */
export function observe(world: World, routeKey: string, pathParameters: Record<string, string>, status: number, body: any): void {
  const installationId = pathParameters.installationId;
  if (routeKey === 'POST /v1/installations/{installationId}/credentials' && status === 200) {
    const installation = world.installations.find((entry) => entry.installationId === installationId);
    if (installation) installation.installationSecret = body.installationSecret;
  }
  if (routeKey === 'DELETE /v1/installations/{installationId}' && status === 204) retire(world, (entry) => entry.installationId === installationId);
  if (routeKey === 'POST /v1/licenses/{slc}/revoke' && status === 200) {
    world.revokedSlcs.add(pathParameters.slc!);
    retire(world, (entry) => entry.slc === pathParameters.slc);
  }
  if (routeKey === 'POST /v1/licenses' && status === 201) world.slcs.push(body.slc);
  if (routeKey === 'POST /v1/customers' && status === 201) world.customerIds.push(body.customerId);
  if (routeKey === 'POST /v1/partners' && status === 201 && world.partners.length < 6) world.partners.push({ partnerId: body.partnerId, apiKey: body.apiKey });
  if (routeKey === 'POST /v1/installations/{installationId}/notifications' && status === 202) {
    world.installations.find((entry) => entry.installationId === installationId)?.notificationIds.push(body.notificationId);
  }
  if (routeKey === 'PUT /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}' && status === 200) {
    const installation = world.installations.find((entry) => entry.installationId === installationId);
    if (installation && !installation.mobileServerGuids.includes(body.guid) && installation.mobileServerGuids.length < 4) installation.mobileServerGuids.push(body.guid);
  }
}

function retire(world: World, match: (installation: FuzzInstallation) => boolean): void {
  for (const installation of world.installations.filter(match)) {
    world.installations.splice(world.installations.indexOf(installation), 1);
    world.formerInstallations.push(installation);
  }
}

/** New licenses with installations, until there are at least `minimum` installations and four active licenses. */
export async function replenish(api: Api, world: World, minimum = 6): Promise<void> {
  const active = () => world.slcs.filter((slc) => !world.revokedSlcs.has(slc)).length;
  for (let round = 0; round < 3 && (world.installations.length < minimum || active() < 4); round++) {
    const license = await api.ops('POST', '/v1/licenses', { customerId: world.customerIds[round % 3], product: 'corporate', version: '2025 R1', deviceLicenses: 40, carePlus: { validUntil: new Date(Date.now() + 365 * day).toISOString() } });
    if (license.status !== 201) continue;
    world.slcs.push(license.body.slc);
    await addInstallation(api, world, license.body.slc, 2);
  }
}
