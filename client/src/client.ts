import { randomUUID } from 'node:crypto';
import { LicensingApiError, readJson } from './http.js';
import { signRequest, type InstallationCredentials } from './signing.js';
import type { ActivationRequest, ActivationResponse, CheckInResponse, Jwks } from './types.js';

export interface LicensingClientOptions {
  /** The API's base URL, e.g. `https://licensing.eu-west-1.example.com` (no `/v1`). */
  baseUrl: string;
  /** Known once the installation exists; set by a first activate() otherwise. */
  credentials?: InstallationCredentials;
  /** Attempts after the first on 503 or a network failure (default 3). */
  retries?: number;
  /** Delay before the first retry, doubled for each further one (default 500 ms). */
  retryDelayMs?: number;
  fetch?: typeof fetch;
}

export interface ActivationResult {
  /** True when this activation created the installation (201). */
  created: boolean;
  body: ActivationResponse;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The installation side of the API: activate() and checkIn() over fetch. Every attempt is signed
 * afresh (new timestamp); a POST keeps one Idempotency-Key across its retries, so a retry after a
 * lost answer gets the first answer instead of activating twice.
 */
export class LicensingClient {
  private readonly baseUrl: string;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly fetchImpl: typeof fetch;
  credentials: InstallationCredentials | undefined;
  /** The service accepts a signature once: a retry within the same second signs with the next second. */
  private lastTimestamp = 0;

  constructor(options: LicensingClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.credentials = options.credentials;
    this.retries = options.retries ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /**
   * §5: a first activation when the request has `slc` (unsigned; the new credentials are kept),
   * else a signed re-activation of this client's installation.
   */
  async activate(request: ActivationRequest, options: { idempotencyKey?: string } = {}): Promise<ActivationResult> {
    const first = request.slc !== undefined;
    if (!first && !this.credentials) throw new Error('A re-activation needs the installation credentials (or an slc for a first activation).');
    const body = first ? request : { ...request, installationId: this.credentials!.installationId };
    const response = await this.send<ActivationResponse>('POST', '/v1/activations', {
      body: JSON.stringify(body),
      signed: !first,
      idempotencyKey: options.idempotencyKey ?? randomUUID(),
    });
    if (response.body.installationSecret) {
      this.credentials = { installationId: response.body.installationId, installationSecret: response.body.installationSecret };
    }
    return { created: response.status === 201, body: response.body };
  }

  /** §6: a freshly signed license document for the installation's current state. */
  async checkIn(): Promise<CheckInResponse> {
    if (!this.credentials) throw new Error('A check-in needs the installation credentials.');
    const path = `/v1/installations/${encodeURIComponent(this.credentials.installationId)}/license`;
    return (await this.send<CheckInResponse>('GET', path, { signed: true })).body;
  }

  /** §9: the JWKS that verifies license documents (keep it for offline verification). */
  async keys(): Promise<Jwks> {
    return (await this.send<Jwks>('GET', '/v1/keys', {})).body;
  }

  private async send<T>(method: string, path: string, options: { body?: string; signed?: boolean; idempotencyKey?: string }) {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {};
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
      if (options.signed) {
        this.lastTimestamp = Math.max(Math.floor(Date.now() / 1000), this.lastTimestamp + 1);
        Object.assign(headers, signRequest(this.credentials!, { method, path, body: options.body ?? '', timestamp: this.lastTimestamp }));
      }
      let response: Response;
      try {
        response = await this.fetchImpl(`${this.baseUrl}${path}`, { method, headers, body: options.body });
      } catch (error) {
        if (attempt >= this.retries) throw error;
        await sleep(this.retryDelayMs * 2 ** attempt);
        continue;
      }
      if (response.status === 503 && attempt < this.retries) {
        await response.arrayBuffer();
        await sleep(this.retryDelayMs * 2 ** attempt);
        continue;
      }
      return readJson<T>(response);
    }
  }
}

export { LicensingApiError };
