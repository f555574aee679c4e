import { clock } from '../adapters/clock';
import { logger } from '../adapters/observability';
import { notFound } from '../errors';
import { getSmartConnect, putSmartConnect } from '../store/smart-connect';
import { requireCarePlus, type InstallationContext } from './installation-context';

export interface SmartConnectView {
  publicAddress: string;
  port: number;
  updatedAt: string;
}

/** Smart Connect needs active Care Plus for both reading and writing (API.md §6). */
export async function setSmartConnect(context: InstallationContext, input: { publicAddress: string; port: number }): Promise<SmartConnectView> {
  requireCarePlus(context.license);
  const record = {
    installationId: context.installation.installationId,
    publicAddress: input.publicAddress,
    port: input.port,
    updatedAt: clock.now().toISOString(),
  };
  await putSmartConnect(record);
  logger.info('smart connect updated', { installationId: record.installationId });
  return { publicAddress: record.publicAddress, port: record.port, updatedAt: record.updatedAt };
}

export async function readSmartConnect(context: InstallationContext): Promise<SmartConnectView> {
  requireCarePlus(context.license);
  const record = await getSmartConnect(context.installation.installationId);
  if (!record) throw notFound('smart_connect_not_configured', 'Smart Connect has not been set up for this installation.');
  return { publicAddress: record.publicAddress, port: record.port, updatedAt: record.updatedAt };
}
