import * as z from 'zod/mini';
import { name } from './common';

export const createPartnerRequest = z.strictObject({ name });
