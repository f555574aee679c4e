import { config } from 'zod/mini';
import { en } from 'zod/locales';

/**
 * zod/mini registers no locale, so every issue would read "Invalid input". The 400 validation_failed
 * details (and the cdk.json checks) speak English, and only English is bundled.
 */
config(en());
