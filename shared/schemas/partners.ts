import * as z from 'zod';
import { name } from './common';

export const createPartnerRequest = z.strictObject({ name });
