import type { Endpoint } from '../domain/endpoint.js';
import { missing } from '../errors.js';
import type { ApiContext } from './context.js';

/** The tenant's endpoint, or the 404 every endpoint route answers for another tenant's. */
export async function findEndpoint(ctx: ApiContext, tenantId: string, endpointId: string): Promise<Endpoint> {
  return (await ctx.store.endpoints.get(tenantId, endpointId)) ?? missing('Endpoint');
}

/** Runs the handshake and answers the endpoint as it stands after it. */
export async function verify(ctx: ApiContext, endpoint: Endpoint): Promise<Endpoint> {
  await ctx.delivery.verifyEndpoint(endpoint.tenantId, endpoint.id);
  return findEndpoint(ctx, endpoint.tenantId, endpoint.id);
}
