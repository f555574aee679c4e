import { createHttpHandler } from '../../shared/http/handler';

export const handler = createHttpHandler('activation', {});
