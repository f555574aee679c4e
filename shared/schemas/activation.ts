import * as z from 'zod';
import { hostname, identifier, name } from './common';

const quantity = z.number().int().min(0).max(1_000_000);

export const MAX_DEVICES_PER_REQUEST = 10_000;

export const deviceSchema = z.strictObject({
  mac: z.string().max(17),
  name: name.optional(),
  kind: z.enum(['camera', 'encoder', 'multi-sensor', 'io', 'other']),
  ipAddresses: z.array(z.union([z.ipv4(), z.ipv6()])).min(1).max(64),
  videoChannels: z.number().int().min(0).max(256),
  connection: z.enum(['direct', 'intermediate', 'vps-driver']),
  supportedDeviceList: z
    .strictObject({ listed: z.boolean(), licenses: z.number().int().min(1).max(64).optional() })
    .default({ listed: false }),
});

export const addOnsInUseSchema = z.strictObject({
  access: z.strictObject({ doors: quantity.default(0) }).optional(),
  lpr: z.strictObject({ cameras: quantity.default(0), plateLibraries: quantity.default(0) }).optional(),
  transact: z.strictObject({ connections: quantity.default(0) }).optional(),
  hospitalAssist: z.strictObject({ channels: quantity.default(0) }).optional(),
  interconnect: z.strictObject({ cameras: quantity.default(0) }).optional(),
  smartWall: z.boolean().optional(),
  incidentManager: z.boolean().optional(),
  managementServerFailover: z.boolean().optional(),
});

export const awsIdentitySchema = z.strictObject({
  instanceIdentityDocument: z.string().min(1).max(8192),
  signature: z.string().min(1).max(4096),
});

const configuration = {
  eulaVersion: z.string().min(1).max(200),
  managementServer: z.strictObject({
    id: z.uuid(),
    hostname,
    failoverPeerId: z.uuid().optional(),
  }),
  recordingServers: z.array(z.strictObject({ id: z.uuid(), failover: z.boolean().default(false) })).max(1000).default([]),
  devices: z.array(deviceSchema).max(MAX_DEVICES_PER_REQUEST),
  addOnsInUse: addOnsInUseSchema.default({}),
  videoPushUsers: z.number().int().min(0).max(100_000).default(0),
  integrations: z
    .array(z.strictObject({ manufacturer: name, name, version: name }))
    .max(40)
    .default([]),
};

/** §5.1: first activation carries the SLC, re-activation the installation id (and a signature). */
export const activationRequestSchema = z.strictObject({
  slc: z.string().min(1).max(64).optional(),
  installationId: identifier.optional(),
  ...configuration,
  aws: awsIdentitySchema.optional(),
});

/** §7: the same configuration, with the identity document required and no SLC or installation id. */
export const amiActivationRequestSchema = z.strictObject({
  ...configuration,
  aws: awsIdentitySchema,
});

export type ActivationRequest = z.output<typeof activationRequestSchema>;
export type ActivationConfiguration = Omit<ActivationRequest, 'slc' | 'installationId' | 'aws'>;
export type AddOnsInUse = z.output<typeof addOnsInUseSchema>;
