import type { AwsCall } from './calls';

/** One Allow statement of a role's policies, with its resources resolved to ARNs (unresolvable ones as `unresolved:<logical id>`). */
export interface Statement {
  actions: string[];
  resources: string[];
  conditions: Record<string, Record<string, string | string[]>>;
}

export interface RoleEvidence {
  /** The function (template logical id) whose role this is. */
  functionId: string;
  statements: Statement[];
}

/** A grant no recorded call needs, and why it is kept anyway. */
export interface UnusedGrantException {
  action: string;
  /** Only for functions whose logical id starts with this (`Ops`); every function when absent. */
  functionId?: string;
  reason: string;
}

export interface IamFindings {
  /** Calls no statement of the caller's role allows: a grant the code needs is missing. */
  missing: Array<{ functionId: string; action: string; resource: string }>;
  /** Grants (action on resource) no recorded call used and no exception explains. */
  unused: Array<{ functionId: string; action: string; resource: string }>;
}

const glob = (pattern: string, flags = ''): RegExp =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, flags);

const actionMatches = (pattern: string, action: string) => glob(pattern, 'i').test(action);
const resourceMatches = (pattern: string, resource: string) => glob(pattern).test(resource);

/** IAM's condition operators that the cell's policies use; any other makes the statement not apply. */
function conditionHolds(operator: string, key: string, expected: string | string[], context: AwsCall['context']): boolean {
  const allowed = [expected].flat();
  const given = context[key];
  switch (operator) {
    case 'StringEquals':
      return typeof given === 'string' && allowed.includes(given);
    case 'ForAllValues:StringEquals':
      return Array.isArray(given) && given.every((value) => allowed.includes(value));
    case 'ForAnyValue:StringEquals':
      return Array.isArray(given) && given.some((value) => allowed.includes(value));
    default:
      return false;
  }
}

function allows(statement: Statement, call: Pick<AwsCall, 'action' | 'resource' | 'context'>): boolean {
  if (!statement.actions.some((pattern) => actionMatches(pattern, call.action))) return false;
  if (!statement.resources.some((pattern) => resourceMatches(pattern, call.resource))) return false;
  return Object.entries(statement.conditions).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => conditionHolds(operator, key, expected, call.context)),
  );
}

/**
 * IAM from evidence: compares what each function called (the stand-ins' records) with what its role
 * grants. Every call must be allowed by a statement of the caller's role; every action a statement
 * grants on each of its resources must have been used by a call that statement allows, unless an
 * exception says why it is kept.
 */
export function iamFindings(roles: RoleEvidence[], calls: AwsCall[], exceptions: UnusedGrantException[] = []): IamFindings {
  const findings: IamFindings = { missing: [], unused: [] };
  const seen = new Set<string>();
  for (const call of calls) {
    const role = roles.find((candidate) => candidate.functionId === call.caller);
    const key = `${call.caller} ${call.action} ${call.resource}`;
    if (seen.has(key)) continue;
    if (!role || !role.statements.some((statement) => allows(statement, call))) {
      seen.add(key);
      findings.missing.push({ functionId: call.caller, action: call.action, resource: call.resource });
    }
  }
  for (const role of roles) {
    const own = calls.filter((call) => call.caller === role.functionId);
    for (const statement of role.statements) {
      for (const action of statement.actions) {
        if (exceptions.some((exception) => actionMatches(exception.action, action) && (!exception.functionId || role.functionId.startsWith(exception.functionId)))) continue;
        for (const resource of statement.resources) {
          const used = own.some((call) => actionMatches(action, call.action) && resourceMatches(resource, call.resource) && allows(statement, call));
          if (!used) findings.unused.push({ functionId: role.functionId, action, resource });
        }
      }
    }
  }
  return findings;
}
