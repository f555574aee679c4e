import { Agent, request as httpRequest } from 'node:http';
import type { FuzzRequest } from './requests';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/**
 * Sends a request exactly as generated: any method with or without a body, any header, bytes that
 * are not UTF-8, a path that is not correctly percent-encoded. (fetch refuses several of these.)
 */
export function send(baseUrl: string, fuzz: FuzzRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let settled = false;
    const headers: Record<string, string | number> = { ...fuzz.headers };
    if (fuzz.body !== undefined) headers['content-length'] = Buffer.byteLength(fuzz.body);
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: fuzz.method, path: fuzz.path, headers, agent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          settled = true;
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', (error) => !settled && reject(error));
      },
    );
    // The server may answer (413) and close before the whole body is written; the answer counts.
    req.on('error', (error) => setTimeout(() => !settled && reject(error), 200));
    if (fuzz.body !== undefined) req.end(fuzz.body);
    else req.end();
  });
}

export function closeAgent(): void {
  agent.destroy();
}
