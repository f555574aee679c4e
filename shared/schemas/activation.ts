import * as z from 'zod/mini';
import { hostname, identifier, integer, name } from './common';

/** Add-on quantities in use: whole numbers up to a million, 0 when left out. */
const quantity = z._default(integer(0, 1_000_000), 0);

export const MAX_DEVICES_PER_REQUEST = 10_000;

export const deviceSchema = z.strictObject({
  mac: z.string().check(z.maxLength(17)),
  name: z.optional(name),
  kind: z.enum(['camera', 'encoder', 'multi-sensor', 'io', 'other']),
  ipAddresses: z.array(z.union([z.ipv4(), z.ipv6()])).check(z.minLength(1), z.maxLength(64)),
  videoChannels: integer(0, 256),
  connection: z.enum(['direct', 'intermediate', 'vps-driver']),
  supportedDeviceList: z._default(z.strictObject({ listed: z.boolean(), licenses: z.optional(integer(1, 64)) }), { listed: false }),
  /** §5.1 rev 2: a device the server has but has disabled (registered, not licensed). */
  enabled: z._default(z.boolean(), true),
});

export const addOnsInUseSchema = z.strictObject({
  access: z.optional(z.strictObject({ doors: quantity })),
  lpr: z.optional(z.strictObject({ cameras: quantity, plateLibraries: quantity })),
  transact: z.optional(z.strictObject({ connections: quantity })),
  hospitalAssist: z.optional(z.strictObject({ channels: quantity })),
  interconnect: z.optional(z.strictObject({ cameras: quantity })),
  smartWall: z.optional(z.boolean()),
  incidentManager: z.optional(z.boolean()),
  managementServerFailover: z.optional(z.boolean()),
});

export const awsIdentitySchema = z.strictObject({
  instanceIdentityDocument: z.string().check(z.minLength(1), z.maxLength(8192)),
  signature: z.string().check(z.minLength(1), z.maxLength(4096)),
});

const configuration = {
  eulaVersion: z.string().check(z.minLength(1), z.maxLength(200)),
  managementServer: z.strictObject({
    id: z.uuid(),
    hostname,
    failoverPeerId: z.optional(z.uuid()),
  }),
  recordingServers: z._default(
    z.array(z.strictObject({ id: z.uuid(), failover: z._default(z.boolean(), false) })).check(z.maxLength(1000)),
    [],
  ),
  devices: z.array(deviceSchema).check(z.maxLength(MAX_DEVICES_PER_REQUEST)),
  addOnsInUse: z._default(addOnsInUseSchema, {}),
  videoPushUsers: z._default(integer(0, 100_000), 0),
  integrations: z._default(z.array(z.strictObject({ manufacturer: name, name, version: name })).check(z.maxLength(40)), []),
};

/** §5.1: first activation carries the SLC, re-activation the installation id (and a signature). */
export const activationRequestSchema = z.strictObject({
  slc: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  installationId: z.optional(identifier),
  ...configuration,
  aws: z.optional(awsIdentitySchema),
});

/** §7: the same configuration, with the identity document required and no SLC or installation id. */
export const amiActivationRequestSchema = z.strictObject({
  ...configuration,
  aws: awsIdentitySchema,
});

export type ActivationRequest = z.output<typeof activationRequestSchema>;
export type ActivationConfiguration = Omit<ActivationRequest, 'slc' | 'installationId' | 'aws'>;
