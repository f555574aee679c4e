import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellIdentity, PhysicalResource, TemplateResource } from '../aws/service';

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface CellTemplate {
  stackName: string;
  region: string;
  resources: Record<string, CfnResource>;
  /** Asset directory of each S3 object key the template names. */
  assets: Record<string, string>;
}

/** One AWS::Lambda::Function of the template, as Lambda would run it. */
export interface FunctionDefinition {
  logicalId: string;
  /** `index.handler`: module in the task root, then the export. */
  handler: string;
  runtime: string;
  memorySize: number;
  /** Seconds. */
  timeout: number;
  /** The asset directory that Lambda would unpack to /var/task. */
  codeDirectory: string;
  /** The environment as the template writes it (intrinsics unresolved). */
  environment: Record<string, unknown>;
  /** Logical id of the execution role. */
  roleId: string | undefined;
}

/** One route of the HTTP API: `GET /v1/health` or `$default`, and the function its integration invokes. */
export interface ApiRoute {
  routeKey: string;
  functionId: string;
}

export function readCellTemplate(outdir: string, stackName: string): CellTemplate {
  const template = JSON.parse(readFileSync(join(outdir, `${stackName}.template.json`), 'utf8')) as { Resources: Record<string, CfnResource> };
  const manifest = JSON.parse(readFileSync(join(outdir, `${stackName}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string; packaging?: string }; destinations: Record<string, { objectKey: string }> }>;
  };
  const assets: Record<string, string> = {};
  for (const file of Object.values(manifest.files)) {
    for (const destination of Object.values(file.destinations)) assets[destination.objectKey] = join(outdir, file.source.path);
  }
  const region = /-([a-z]{2}(?:-[a-z]+)+-\d)$/.exec(stackName)?.[1];
  if (!region) throw new Error(`Cannot tell the region of stack ${stackName}`);
  return { stackName, region, resources: template.Resources, assets };
}

/** Every Lambda function of the template: the bundle runtime is generic over them. */
export function functionsOf(cell: CellTemplate): FunctionDefinition[] {
  return Object.entries(cell.resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      const code = properties.Code as { S3Key?: string } | undefined;
      const codeDirectory = code?.S3Key ? cell.assets[code.S3Key] : undefined;
      if (!codeDirectory) throw new Error(`Function ${logicalId} has no asset in the cloud assembly`);
      const role = properties.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
      return {
        logicalId,
        handler: String(properties.Handler),
        runtime: String(properties.Runtime),
        memorySize: Number(properties.MemorySize ?? 128),
        timeout: Number(properties.Timeout ?? 3),
        codeDirectory,
        environment: ((properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>,
        roleId: role?.['Fn::GetAtt']?.[0],
      };
    });
}

/** The logical ids an intrinsic value refers to (`Ref`, `Fn::GetAtt`), pseudo parameters excluded. */
export function referencesIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (!value || typeof value !== 'object') return [];
  const object = value as Record<string, unknown>;
  if (typeof object.Ref === 'string') return object.Ref.startsWith('AWS::') ? [] : [object.Ref];
  if (Array.isArray(object['Fn::GetAtt'])) return [String(object['Fn::GetAtt'][0])];
  return Object.values(object).flatMap(referencesIn);
}

/** The routes of the template's HTTP API, each with the function its Lambda proxy integration invokes. */
export function routesOf(cell: CellTemplate): ApiRoute[] {
  const integrations = new Map<string, string>();
  for (const [id, resource] of Object.entries(cell.resources)) {
    if (resource.Type !== 'AWS::ApiGatewayV2::Integration') continue;
    const [functionId] = referencesIn(resource.Properties?.IntegrationUri);
    if (functionId) integrations.set(id, functionId);
  }
  return Object.values(cell.resources)
    .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route')
    .map((resource) => {
      const integration = referencesIn(resource.Properties?.Target).find((id) => integrations.has(id));
      if (!integration) throw new Error(`Route ${String(resource.Properties?.RouteKey)} has no Lambda integration`);
      return { routeKey: String(resource.Properties!.RouteKey), functionId: integrations.get(integration)! };
    });
}

export type PhysicalResources = Map<string, PhysicalResource>;

/** Template resources as a stand-in provisions them. */
export function templateResource(cell: CellTemplate, logicalId: string): TemplateResource {
  const resource = cell.resources[logicalId]!;
  return { stackName: cell.stackName, logicalId, type: resource.Type, properties: resource.Properties ?? {} };
}

/**
 * Resolves CloudFormation intrinsics the way a deployment would, against the resources the
 * stand-ins provisioned: Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split and the pseudo
 * parameters. A reference to a resource nothing provisioned is an error naming it.
 */
export function resolveValue(value: unknown, physical: PhysicalResources, cell: CellIdentity & { stackName: string }, resources: Record<string, CfnResource>): unknown {
  const pseudo: Record<string, string> = {
    'AWS::Partition': cell.partition,
    'AWS::AccountId': cell.account,
    'AWS::Region': cell.region,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': cell.stackName,
  };
  const unprovisioned = (id: string) =>
    new Error(`The template refers to ${id} (${resources[id]?.Type ?? 'no such resource'}), which no local stand-in provides`);
  const ref = (name: string): string => {
    if (name in pseudo) return pseudo[name]!;
    const resource = physical.get(name);
    if (!resource) throw unprovisioned(name);
    return resource.ref;
  };
  const attribute = (id: string, name: string): string => {
    const resource = physical.get(id);
    if (!resource) throw unprovisioned(id);
    const found = resource.attributes[name];
    if (found === undefined) throw new Error(`${id} has no attribute ${name} locally`);
    return found;
  };
  const resolve = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolve);
    if (!node || typeof node !== 'object') return node;
    const object = node as Record<string, unknown>;
    const [key, argument] = Object.entries(object)[0] ?? [];
    if (Object.keys(object).length !== 1) return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, resolve(v)]));
    switch (key) {
      case 'Ref':
        return ref(String(argument));
      case 'Fn::GetAtt': {
        const [id, name] = Array.isArray(argument) ? argument : String(argument).split('.');
        return attribute(String(id), String(name));
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return (resolve(parts) as unknown[]).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = argument as [number, unknown];
        return (resolve(list) as unknown[])[Number(resolve(index))];
      }
      case 'Fn::Split': {
        const [separator, source] = argument as [string, unknown];
        return String(resolve(source)).split(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = (Array.isArray(argument) ? argument : [argument, {}]) as [string, Record<string, unknown>];
        return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
          if (name in variables) return String(resolve(variables[name]));
          const [id, attr] = name.split('.');
          return attr ? attribute(id!, attr) : ref(id!);
        });
      }
      default:
        if (key?.startsWith('Fn::')) throw new Error(`The local runtime does not resolve ${key}`);
        return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, resolve(v)]));
    }
  };
  return resolve(value);
}
