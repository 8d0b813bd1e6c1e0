import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';
export { readServerSentEvents, type ServerSentEvent } from './sse.js';

/** A typed client for Herald's whole v1 API: every path, parameter and answer is checked. */
export type HeraldClient = Client<paths>;

/**
 * `createHeraldClient('http://localhost:8080', token)` answers an openapi-fetch client:
 * `await client.GET('/api/v1/tenants/{tid}/endpoints', { params: { path: { tid } } })`
 * resolves to `{ data, error, response }`, typed from Herald's OpenAPI document.
 */
export function createHeraldClient(baseUrl: string, token: string, options: Omit<ClientOptions, 'baseUrl'> = {}): HeraldClient {
  return createClient<paths>({
    ...options,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    headers: { ...(options.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` },
  });
}
