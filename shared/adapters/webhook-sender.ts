import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkWebhookUrl, DELIVERY_TIMEOUT_MS, isPublicAddress, type WebhookUrlPolicy } from '../domain/webhooks';

export type SendOutcome = { kind: 'answered'; statusCode: number } | { kind: 'timeout' } | { kind: 'refused_address' } | { kind: 'network' };

class NotPublicAddress extends Error {
  override readonly name = 'NotPublicAddress';
}

/** Every address a host name resolves to; none, or one that is not public, refuses it. */
export async function resolvesToPublicAddresses(host: string): Promise<boolean> {
  const addresses = await new Promise<LookupAddress[]>((resolve) => dnsLookup(host, { all: true }, (error, found) => resolve(error ? [] : found)));
  return addresses.length > 0 && addresses.every((entry) => isPublicAddress(entry.address));
}

/**
 * The resolver the connection uses: every address of the host is checked, and the connection goes
 * to one of the checked addresses (no second lookup a DNS rebinding could answer differently).
 */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const list = addresses as unknown as LookupAddress[];
    if (list.length === 0 || !list.every((entry) => isPublicAddress(entry.address))) {
      return callback(new NotPublicAddress(`${hostname} resolves to an address that is not public`), '', 0);
    }
    if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

/**
 * POSTs one webhook delivery: at most DELIVERY_TIMEOUT_MS for the whole exchange, redirects not
 * followed (a 3xx is an answer that is not 2xx), and, outside the local loopback case, only to
 * public addresses, checked for every address the name resolves to at the moment of connecting.
 */
export function postWebhook(url: string, headers: Record<string, string>, body: string, policy: WebhookUrlPolicy): Promise<SendOutcome> {
  const checked = checkWebhookUrl(url, policy);
  if (!checked.ok) return Promise.resolve({ kind: 'refused_address' });
  const send = checked.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const request = send(
      checked.url,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'cloud-licensing-webhooks' },
        ...(checked.loopback ? {} : { lookup: publicOnlyLookup }),
      },
      (response: IncomingMessage) => {
        // The body is not needed: drained so that the socket is freed.
        response.resume();
        response.on('end', () => finish({ kind: 'answered', statusCode: response.statusCode ?? 0 }));
        response.on('error', () => finish({ kind: 'answered', statusCode: response.statusCode ?? 0 }));
      },
    );
    const timer = setTimeout(() => {
      finish({ kind: 'timeout' });
      request.destroy();
    }, DELIVERY_TIMEOUT_MS);
    request.on('error', (error) => finish(error instanceof NotPublicAddress || error.name === 'NotPublicAddress' ? { kind: 'refused_address' } : { kind: 'network' }));
    request.end(body);
  });
}
