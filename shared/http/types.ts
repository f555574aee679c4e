import type { InstallationRecord } from '../store/records';
import type { ZodMiniType } from 'zod/mini';
import type { CustomerRole } from '../domain/scope';


/** `userId` is set when the caller signed in as a dashboard user (a user-pool ID token). */
export type Caller =
  | { role: 'ops'; userId?: string }
  | { role: 'partner'; partnerId: string; userId?: string }
  | { role: CustomerRole; customerId: string; partnerId: string | null; userId: string }
  /** `installation`: the record as authentication read it (strongly consistent), so that the route need not read it again. */
  | { role: 'installation'; installationId: string; installation: InstallationRecord }
  | { role: 'anonymous' };

export interface ApiRequest {
  routeKey: string;
  method: string;
  /** URL path as sent, without the query string (what installation signatures cover). */
  path: string;
  pathParameters: Record<string, string>;
  query: Record<string, string>;
  /** Header names lowercased. */
  headers: Record<string, string>;
  /** The body as the route's declared `RequestBody` parsed it; undefined on routes that take none. */
  body: unknown;
  rawBody: string;
  caller: Caller;
  sourceIp: string;
  requestId: string;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a route says about its body: routes without one take no body at all (API.md §1). */
export interface RequestBody<T = unknown> {
  /** The shape the body must have. */
  schema: ZodMiniType;
  /** Turns the JSON value (undefined when the request has no body) into the route's input, or throws a 4xx. */
  parse(input: unknown): T;
}

export type RouteImplementation = ((request: ApiRequest) => Promise<ApiResponse>) & { readonly body?: RequestBody };

/** Who did something, as the audit trail records it. */
export function actorOf(caller: Caller): string {
  switch (caller.role) {
    case 'ops':
      return 'ops';
    case 'partner':
      return `partner:${caller.partnerId}`;
    case 'installation':
      return `installation:${caller.installationId}`;
    case 'customer-admin':
    case 'customer-user':
      return `user:${caller.userId}`;
    case 'anonymous':
      return 'anonymous';
  }
}
