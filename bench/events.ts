import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalStack } from '../local/stack';
import { activationBody, call, devices, percentile, round } from './support';

/**
 * The delay from an activation's commit to its `activation.completed` webhook delivery under
 * `npm start`: stream publisher (polling DynamoDB Local's stream every 100 ms) → local EventBridge →
 * fan-out → POST to a receiver on 127.0.0.1. Measured from the activation's answer (the commit comes
 * just before it) to the receiver getting the delivery, one activation at a time; the floor is one
 * bare POST to the same receiver.
 */
export async function eventsBench(stack: LocalStack, samples: number) {
  const arrivals = new Map<string, number>();
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = performance.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type?: string; data?: { slc?: string } };
        if (body.type === 'activation.completed' && body.data?.slc) arrivals.set(body.data.slc, at);
      } catch {
        // the floor's empty POST
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  try {
    const partner = await call(stack, 'POST', '/v1/partners', { name: 'Bench partner' }, stack.opsToken);
    const hook = await call(stack, 'POST', '/v1/partner/webhooks', { url, events: ['activation.completed'] }, partner.body.apiKey);
    if (hook.status !== 201) throw new Error(`webhook not registered: ${JSON.stringify(hook.body)}`);
    const customer = await call(stack, 'POST', '/v1/customers', { name: 'Bench', country: 'DK', contacts: [{ name: 'B', email: 'b@example.com' }], partnerId: partner.body.partnerId }, stack.opsToken);
    await call(stack, 'PUT', '/v1/catalog/versions/2025%20R1', { generalAvailability: '2025-02-12' }, stack.opsToken);

    const delays: number[] = [];
    for (let i = 0; i < samples; i++) {
      const license = await call(stack, 'POST', '/v1/licenses', { customerId: customer.body.customerId, product: 'corporate', version: '2025 R1', deviceLicenses: 10 }, stack.opsToken);
      const slc = license.body.slc as string;
      const response = await call(stack, 'POST', '/v1/activations', activationBody(slc, devices(1)));
      const committed = performance.now();
      if (response.status !== 201) throw new Error(`activation failed: ${JSON.stringify(response.body).slice(0, 300)}`);
      const deadline = committed + 30_000;
      while (!arrivals.has(slc)) {
        if (performance.now() > deadline) throw new Error('no webhook delivery within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      delays.push(arrivals.get(slc)! - committed);
    }
    const floors: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await fetch(url, { method: 'POST', body: '' });
      floors.push(performance.now() - started);
    }
    const floor = percentile(floors, 50);
    return {
      samples,
      commitToWebhookMs: { p50: round(percentile(delays, 50)), p99: round(percentile(delays, 99)), max: round(Math.max(...delays)) },
      barePostMs: round(floor, 2),
      publisherPollMs: 100,
    };
  } finally {
    receiver.close();
  }
}
