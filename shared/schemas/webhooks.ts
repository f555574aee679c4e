import * as z from 'zod/mini';
import './english';

/** An event type (`license.created`) or a prefix of types with a trailing `*` (`license.*`, `*`). */
const eventPattern = z.string().check(
  z.maxLength(200),
  z.regex(/^(?:\*|[a-z][a-z_]*(?:\.[a-z][a-z_]*)*(?:\.\*)?)$/, 'must be an event type such as "activation.completed", or a prefix such as "license.*"'),
);

export const createWebhookRequest = z.strictObject({
  url: z.string().check(z.minLength(1), z.maxLength(2000)),
  events: z.array(eventPattern).check(z.minLength(1), z.maxLength(50)),
});
