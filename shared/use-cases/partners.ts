import { randomUUID } from 'node:crypto';
import { clock } from '../adapters/clock';
import { randomToken, sha256Hex } from '../crypto';
import { putPartner, type Partner } from '../store/partners';

export interface IssuedPartner extends Partner {
  apiKey: string;
}

/** Registers a channel partner and issues its API key, which is stored only as a SHA-256 hash. */
export async function registerPartner(input: { name: string }): Promise<IssuedPartner> {
  const partner: Partner = { partnerId: randomUUID(), name: input.name, createdAt: clock.now().toISOString() };
  const apiKey = `pk_${randomToken(32)}`;
  await putPartner(partner, sha256Hex(apiKey));
  return { ...partner, apiKey };
}
