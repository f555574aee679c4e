import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { LicenseVerificationError, LicensingApiError, readJson, verifyLicense, type Jwks } from '@cloud-licensing/client';
import { fields, human } from './output.js';

/**
 * `cloud-licensing <command>`: the back office over the HTTP API (API.md §13). Exit status 0 on
 * success, 1 when the API (or license verification) refuses, 2 on bad usage.
 */

interface Globals {
  url: string;
  token?: string;
  json?: boolean;
}

class UsageError extends Error {}

type Body = Record<string, unknown> | string | undefined;

class Api {
  constructor(private readonly globals: Globals) {}

  async call(method: string, path: string, body?: Body): Promise<unknown> {
    const headers: Record<string, string> = {};
    const token = this.globals.token ?? process.env.LICENSING_TOKEN;
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.globals.url.replace(/\/+$/, '')}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return (await readJson(response)).body;
  }

  /** Every page of a list route, as one answer of the list shape. */
  async list(path: string): Promise<{ items: unknown[]; nextCursor: null }> {
    const items: unknown[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
      const page = (await this.call('GET', `${path}?${query}`)) as { items: unknown[]; nextCursor?: string | null };
      items.push(...page.items);
      cursor = page.nextCursor ?? null;
    } while (cursor);
    return { items, nextCursor: null };
  }
}

const segment = encodeURIComponent;

function integer(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number.');
  return Number(value);
}

function print(globals: Globals, body: unknown, forPeople: (body: unknown) => string = human): void {
  if (globals.json) console.log(body === undefined ? '{}' : JSON.stringify(body, null, 2));
  else console.log(forPeople(body));
}

/** An action: runs `fn` with the API of the global options and prints its answer. */
function action<A extends unknown[]>(fn: (api: Api, globals: Globals, ...args: A) => Promise<unknown>) {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    const globals = command.optsWithGlobals() as Globals & Record<string, unknown>;
    const positional = args.slice(0, -2).concat([command.opts()]) as A;
    const result = await fn(new Api(globals), globals, ...positional);
    if (result !== NO_OUTPUT) print(globals, result);
  };
}
const NO_OUTPUT = Symbol('printed');

function partnersAndCustomers(program: Command): void {
  const partners = program.command('partners').description('channel partners');
  partners
    .command('create')
    .description('register a partner; its API key is shown only in this answer')
    .requiredOption('--name <name>', 'partner name')
    .action(action((api, _g, options: { name: string }) => api.call('POST', '/v1/partners', { name: options.name })));

  const customers = program.command('customers').description('customers (end users)');
  customers
    .command('create')
    .description('register a customer, screened for export control')
    .requiredOption('--name <name>', 'customer name')
    .requiredOption('--country <CC>', 'ISO-3166 alpha-2 country code')
    .requiredOption('--contact-name <name>', 'contact name')
    .requiredOption('--contact-email <email>', 'contact e-mail')
    .option('--partner-id <id>', 'the partner of the customer')
    .action(
      action((api, _g, o: { name: string; country: string; contactName: string; contactEmail: string; partnerId?: string }) =>
        api.call('POST', '/v1/customers', {
          name: o.name,
          country: o.country,
          contacts: [{ name: o.contactName, email: o.contactEmail }],
          ...(o.partnerId ? { partnerId: o.partnerId } : {}),
        }),
      ),
    );
  customers
    .command('show')
    .description('a customer')
    .argument('<id>', 'customerId')
    .action(action((api, _g, id: string) => api.call('GET', `/v1/customers/${segment(id)}`)));
  customers
    .command('verify')
    .description('record the outcome of a screening done outside the service')
    .argument('<id>', 'customerId')
    .requiredOption('--verification <verification>', 'verified or rejected')
    .requiredOption('--reason <reason>', 'export_control, screening_hit or manual')
    .action(
      action((api, _g, id: string, o: { verification: string; reason: string }) =>
        api.call('PUT', `/v1/customers/${segment(id)}/verification`, { verification: o.verification, reason: o.reason }),
      ),
    );
}

function catalog(program: Command): void {
  const catalogCommand = program.command('catalog').description('the product catalog: versions and EULA versions');
  catalogCommand
    .command('versions')
    .description('product versions and their activation windows')
    .action(action((api) => api.list('/v1/catalog/versions')));
  catalogCommand
    .command('set-version')
    .description('create or correct a product version')
    .argument('<version>', 'e.g. "2025 R1"')
    .requiredOption('--general-availability <date>', 'YYYY-MM-DD')
    .action(
      action((api, _g, version: string, o: { generalAvailability: string }) =>
        api.call('PUT', `/v1/catalog/versions/${segment(version)}`, { generalAvailability: o.generalAvailability }),
      ),
    );
  catalogCommand
    .command('eulas')
    .description('EULA versions and their status')
    .action(action((api) => api.list('/v1/catalog/eulas')));
  catalogCommand
    .command('set-eula')
    .description('set the status of a EULA version')
    .argument('<version>', 'EULA version, e.g. 20250212')
    .requiredOption('--status <status>', 'current, accepted or retired')
    .action(action((api, _g, version: string, o: { status: string }) => api.call('PUT', `/v1/catalog/eulas/${segment(version)}`, { status: o.status })));
}

function licenses(program: Command): void {
  const command = program.command('licenses').description('licenses (SLCs)');
  command
    .command('issue')
    .description('issue a license')
    .requiredOption('--customer-id <id>', 'the customer')
    .requiredOption('--product <product>', 'corporate, expert, professional-plus, express-plus or essential-plus')
    .requiredOption('--version <version>', 'product version, e.g. "2025 R1"')
    .requiredOption('--device-licenses <n>', 'device licenses', integer)
    .action(
      action((api, _g, o: { customerId: string; product: string; version: string; deviceLicenses: number }) =>
        api.call('POST', '/v1/licenses', { customerId: o.customerId, product: o.product, version: o.version, deviceLicenses: o.deviceLicenses }),
      ),
    );
  for (const [name, suffix, description] of [
    ['show', '', 'a license'],
    ['devices', '/devices', 'every device ever registered under the license'],
    ['events', '/events', 'the audit trail, newest first'],
    ['installations', '/installations', 'the installations of the license'],
  ] as const) {
    command
      .command(name)
      .description(description)
      .argument('<slc>', 'the SLC')
      .action(action((api, _g, slc: string) => (suffix ? api.list(`/v1/licenses/${segment(slc)}${suffix}`) : api.call('GET', `/v1/licenses/${segment(slc)}`))));
  }
  command
    .command('patch')
    .description('change device licenses, upgrade the version or change the edition')
    .argument('<slc>', 'the SLC')
    .option('--device-licenses <n>', 'device licenses', integer)
    .option('--version <version>', 'a newer product version')
    .option('--product <product>', 'another edition')
    .action(
      action((api, _g, slc: string, o: { deviceLicenses?: number; version?: string; product?: string }) => {
        const change = Object.fromEntries(Object.entries(o).filter(([, value]) => value !== undefined));
        if (Object.keys(change).length === 0) throw new UsageError('give --device-licenses, --version or --product');
        return api.call('PATCH', `/v1/licenses/${segment(slc)}`, change);
      }),
    );
  command
    .command('care-plus')
    .description('set Care Plus')
    .argument('<slc>', 'the SLC')
    .requiredOption('--valid-until <date or time>', 'passed to the API as given')
    .action(action((api, _g, slc: string, o: { validUntil: string }) => api.call('PUT', `/v1/licenses/${segment(slc)}/care-plus`, { validUntil: o.validUntil })));
  command
    .command('revoke')
    .description('revoke a license, immediately and finally')
    .argument('<slc>', 'the SLC')
    .requiredOption('--reason <reason>', 'export_control, human_rights, eula_breach or other')
    .action(action((api, _g, slc: string, o: { reason: string }) => api.call('POST', `/v1/licenses/${segment(slc)}/revoke`, { reason: o.reason })));
  command
    .command('transfer')
    .description('transfer a license to another customer (who has accepted the EULA)')
    .argument('<slc>', 'the SLC')
    .requiredOption('--to-customer-id <id>', 'the new customer')
    .action(
      action((api, _g, slc: string, o: { toCustomerId: string }) =>
        api.call('POST', `/v1/licenses/${segment(slc)}/transfer`, { toCustomerId: o.toCustomerId, eulaAccepted: true }),
      ),
    );
}

function installationsAndUsers(program: Command): void {
  const installations = program.command('installations').description('installations (ops)');
  installations
    .command('release')
    .description('release every device of the installation and retire it')
    .argument('<id>', 'installationId')
    .action(action((api, _g, id: string) => api.call('DELETE', `/v1/installations/${segment(id)}`)));
  installations
    .command('credentials')
    .description('issue a new installation secret (the old one stops working)')
    .argument('<id>', 'installationId')
    .action(action((api, _g, id: string) => api.call('POST', `/v1/installations/${segment(id)}/credentials`)));

  const users = program.command('users').description('dashboard users');
  users
    .command('create')
    .description('create a dashboard user')
    .requiredOption('--email <email>', 'e-mail (the sign-in name)')
    .requiredOption('--name <name>', 'name')
    .requiredOption('--role <role>', 'ops, partner, customer-admin or customer-user')
    .option('--partner-id <id>', 'for partner users')
    .option('--customer-id <id>', 'for customer users')
    .action(
      action((api, _g, o: { email: string; name: string; role: string; partnerId?: string; customerId?: string }) =>
        api.call('POST', '/v1/users', Object.fromEntries(Object.entries(o).filter(([, value]) => value !== undefined))),
      ),
    );
  users
    .command('list')
    .description('dashboard users')
    .action(action((api) => api.list('/v1/users')));
  users
    .command('delete')
    .description("delete a user; the user's tokens stop working at once")
    .argument('<id>', 'userId')
    .action(action((api, _g, id: string) => api.call('DELETE', `/v1/users/${segment(id)}`)));
}

/** The JWS of a license file, a JSON answer carrying `license`, a file holding a JWS, or a JWS given as is. */
async function licenseDocumentOf(source: string): Promise<string> {
  const text = existsSync(source) ? (await readFile(source, 'utf8')).trim() : source.trim();
  if (!text.startsWith('{')) return text;
  const parsed = JSON.parse(text) as { license?: unknown; activation?: { license?: unknown } };
  const jws = parsed.activation?.license ?? parsed.license;
  if (typeof jws !== 'string') throw new UsageError(`${source} holds no license document`);
  return jws;
}

function offline(program: Command): void {
  program
    .command('offline-activate')
    .description('upload an activation request file and write the license file')
    .argument('<request file>', 'the activation request file of the XProtect server')
    .requiredOption('--out <license file>', 'where to write the license file')
    .action(
      action(async (api, globals, requestFile: string, o: { out: string }) => {
        if (!existsSync(requestFile)) throw new UsageError(`no such file: ${requestFile}`);
        const licenseFile = await api.call('POST', '/v1/offline-activations', await readFile(requestFile, 'utf8'));
        await writeFile(o.out, `${JSON.stringify(licenseFile, null, 2)}\n`);
        const { installationId, activation } = licenseFile as { installationId: string; activation?: { status?: string } };
        print(globals, licenseFile, () => fields({ installationId, status: activation?.status, licenseFile: o.out }));
        return NO_OUTPUT;
      }),
    );
  program
    .command('verify')
    .description('verify a license document against the keys of --url (GET /v1/keys)')
    .argument('<license file or JWS>', 'a license file, a file with the JWS, or the JWS itself')
    .action(
      action(async (api, globals, source: string) => {
        const jws = await licenseDocumentOf(source);
        const claims = await verifyLicense(jws, (await api.call('GET', '/v1/keys')) as Jwks);
        print(globals, claims, () =>
          fields({
            valid: 'yes',
            slc: claims.slc,
            installationId: claims.installationId,
            product: claims.product,
            version: claims.version,
            status: claims.status,
            devices: claims.devices.length,
            deviceLicenses: claims.devices.reduce((sum, device) => sum + device.licenses, 0),
            carePlus: claims.carePlus.active ? `active until ${claims.carePlus.validUntil}` : 'not active',
            issuedAt: new Date(claims.iat * 1000).toISOString(),
            expiresAt: new Date(claims.exp * 1000).toISOString(),
          }),
        );
        return NO_OUTPUT;
      }),
    );
}

function program(): Command {
  const root = new Command('cloud-licensing')
    .description('The Cloud Licensing back office over its HTTP API.')
    .option('--url <url>', 'API base URL', 'http://127.0.0.1:3000')
    .option('--token <token>', 'bearer token (default: $LICENSING_TOKEN)')
    .option('--json', "print the API's JSON answer instead of a table")
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    .exitOverride();
  partnersAndCustomers(root);
  catalog(root);
  licenses(root);
  installationsAndUsers(root);
  offline(root);
  return root;
}

async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    if (error instanceof LicensingApiError) {
      if (argv.includes('--json')) console.log(JSON.stringify({ error: { code: error.code, message: error.message, details: error.details } }, null, 2));
      console.error(`error: ${error.code}: ${error.message}`);
      for (const detail of error.details ?? []) console.error(`  ${detail.path}: ${detail.message}`);
      return 1;
    }
    if (error instanceof LicenseVerificationError) {
      console.error(`error: ${error.code}: ${error.message}`);
      return 1;
    }
    console.error(`error: ${(error as Error).message}${(error as Error).cause ? ` (${String(((error as Error).cause as Error).message ?? (error as Error).cause)})` : ''}`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
