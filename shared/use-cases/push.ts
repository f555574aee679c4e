import { clock } from '../adapters/clock';
import { logger } from '../adapters/observability';
import { maskEmail } from '../domain/masking';
import { MAX_MOBILE_SERVERS_PER_INSTALLATION, MAX_PUSH_DEVICES_PER_MOBILE_SERVER } from '../domain/notifications';
import { ApiError, notFound } from '../errors';
import {
  deleteMobileServer,
  deletePushDevice,
  getMobileServerWithDevices,
  putMobileServer,
  putNotificationEmails,
  putPushDevice,
  type MobileServerWithDevices,
} from '../store/push';
import type { PushPlatform } from '../store/records';

/**
 * Mobile servers, their push devices and notification e-mails (API.md §6). The EULA has the
 * service keep these GUIDs and addresses; registering them does not need Care Plus (sending does).
 * Push tokens are never returned or logged; e-mail addresses are returned masked and never logged.
 */
export interface MobileServerView {
  guid: string;
  hostname: string | null;
  devices: Array<{ guid: string; platform: PushPlatform }>;
  emails: string[];
}

export const mobileServerNotFound = () => notFound('mobile_server_not_found', 'No such mobile server is registered for this installation.');

export function mobileServerView({ server, devices }: MobileServerWithDevices): MobileServerView {
  return {
    guid: server.guid,
    hostname: server.hostname,
    devices: devices.map((device) => ({ guid: device.guid, platform: device.platform })),
    emails: server.emails.map(maskEmail),
  };
}

async function currentView(installationId: string, guid: string): Promise<MobileServerView> {
  const found = await getMobileServerWithDevices(installationId, guid);
  if (!found) throw mobileServerNotFound();
  return mobileServerView(found);
}

export async function registerMobileServer(installationId: string, guid: string, input: { hostname?: string }): Promise<MobileServerView> {
  const outcome = await putMobileServer(installationId, guid, input.hostname ?? null, clock.now().toISOString(), MAX_MOBILE_SERVERS_PER_INSTALLATION);
  if (outcome === 'mobile_server_limit_reached') {
    throw new ApiError(
      422,
      'mobile_server_limit_reached',
      `An installation can have at most ${MAX_MOBILE_SERVERS_PER_INSTALLATION} mobile servers; remove one first.`,
    );
  }
  logger.info('mobile server registered', { installationId, mobileServerGuid: guid });
  return currentView(installationId, guid);
}

export async function getMobileServer(installationId: string, guid: string): Promise<MobileServerView> {
  return currentView(installationId, guid);
}

export async function removeMobileServer(installationId: string, guid: string): Promise<void> {
  if (!(await deleteMobileServer(installationId, guid))) throw mobileServerNotFound();
  logger.info('mobile server removed', { installationId, mobileServerGuid: guid });
}

export async function registerPushDevice(
  installationId: string,
  mobileServerGuid: string,
  deviceGuid: string,
  input: { platform: PushPlatform; pushToken: string },
): Promise<MobileServerView> {
  const outcome = await putPushDevice(
    { installationId, mobileServerGuid, guid: deviceGuid, platform: input.platform, pushToken: input.pushToken },
    clock.now().toISOString(),
    MAX_PUSH_DEVICES_PER_MOBILE_SERVER,
  );
  if (outcome === 'mobile_server_not_found') throw mobileServerNotFound();
  if (outcome === 'device_limit_reached') {
    throw new ApiError(
      422,
      'push_device_limit_reached',
      `A mobile server can have at most ${MAX_PUSH_DEVICES_PER_MOBILE_SERVER} push devices; remove one first.`,
    );
  }
  logger.info('push device registered', { installationId, mobileServerGuid, deviceGuid, platform: input.platform });
  return currentView(installationId, mobileServerGuid);
}

export async function removePushDevice(installationId: string, mobileServerGuid: string, deviceGuid: string): Promise<void> {
  const found = await getMobileServerWithDevices(installationId, mobileServerGuid);
  if (!found) throw mobileServerNotFound();
  if ((await deletePushDevice(installationId, mobileServerGuid, deviceGuid)) === 'device_not_found') {
    throw notFound('push_device_not_found', 'No such push device is registered for this mobile server.');
  }
  logger.info('push device removed', { installationId, mobileServerGuid, deviceGuid });
}

/** Replaces the e-mail set; duplicates (ignoring case) are kept once, in the order given. */
export async function replaceNotificationEmails(installationId: string, mobileServerGuid: string, emails: string[]): Promise<MobileServerView> {
  const seen = new Set<string>();
  const unique = emails.filter((address) => {
    const key = address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (!(await putNotificationEmails(installationId, mobileServerGuid, unique, clock.now().toISOString()))) throw mobileServerNotFound();
  logger.info('notification e-mails replaced', { installationId, mobileServerGuid, count: unique.length });
  return currentView(installationId, mobileServerGuid);
}
