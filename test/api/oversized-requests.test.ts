import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useApi } from '../support/api';

/**
 * What the HTTP parser refuses before any route runs still gets the error envelope (local server;
 * in AWS, API Gateway answers these itself, see docs/DECISIONS.md).
 */
const api = useApi();

/** Sends raw HTTP/1.1 and returns the status, the content type and the parsed body. */
function raw(request: string): Promise<{ status: number; contentType: string | undefined; body: any }> {
  const url = new URL(api.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.end(request));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      const contentType = /\r\ncontent-type: ([^\r]+)/i.exec(head)?.[1];
      resolve({ status, contentType, body: body ? JSON.parse(body) : undefined });
    });
  });
}

describe('oversized and malformed requests', () => {
  it('a query string past the limit is 431 in the envelope', async () => {
    const answer = await raw(`GET /v1/health?x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    expect(answer.status).toBe(431);
    expect(answer.contentType).toBe('application/json');
    expect(answer.body.error.code).toBe('request_headers_too_large');
    expect(typeof answer.body.error.message).toBe('string');
  });

  it('headers past the limit are 431 in the envelope', async () => {
    const answer = await raw(`GET /v1/health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
    expect(answer.status).toBe(431);
    expect(answer.body.error.code).toBe('request_headers_too_large');
  });

  it('malformed HTTP is 400 in the envelope', async () => {
    const answer = await raw('NOT HTTP AT ALL\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('malformed_request');
  });

  it('just under the limit is served', async () => {
    const answer = await api.request('GET', `/v1/health?x=${'a'.repeat(15_000)}`);
    expect(answer.status).toBe(200);
  });
});
