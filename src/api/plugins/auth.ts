import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Tenant } from '../../domain/tenant.js';
import { forbidden, HeraldError, notFound, unauthorized } from '../../errors.js';
import type { ApiContext } from '../context.js';
import { hashToken, sameHash, type Principal } from '../principal.js';
import { TokenBuckets } from './token-buckets.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The tenant named by the route's `:tid`, loaded once by the auth hook. */
    tenant: Tenant | null;
  }
  interface FastifyContextConfig {
    /** `operator`: admin token only. Default: admin, or a tenant credential on its own tenant. */
    access?: 'operator' | 'tenant';
  }
}

/**
 * Authentication and tenant scoping for every /api/v1 route, as one onRequest hook on the
 * scope that holds them all, so no route can skip it. A tenant credential addressing another
 * tenant gets 404, the same answer as a tenant that does not exist.
 */
export function registerAuth(app: FastifyInstance, ctx: ApiContext): void {
  const buckets = new TokenBuckets(ctx.tenantRateLimit.perSecond, ctx.tenantRateLimit.burst);
  app.decorateRequest('principal', null);
  app.decorateRequest('tenant', null);
  app.addHook('onRequest', async (request) => {
    const principal = await authenticate(request, ctx);
    request.principal = principal;
    const tid = (request.params as { tid?: string }).tid;
    if (principal.kind === 'admin') return loadTenant(request, ctx, tid);
    const wait = buckets.take(principal.credentialId);
    if (wait > 0) {
      throw new HeraldError('rate_limited', 'Too many requests for this key', [], { 'retry-after': String(Math.ceil(wait / 1000)) });
    }
    if (request.routeOptions.config.access === 'operator') throw forbidden();
    if (tid !== undefined && tid !== principal.tenantId) throw notFound('Tenant');
    return loadTenant(request, ctx, tid);
  });
}

async function loadTenant(request: FastifyRequest, ctx: ApiContext, tid: string | undefined): Promise<void> {
  if (tid === undefined) return;
  request.tenant = await ctx.store.tenants.get(tid);
  if (!request.tenant) throw notFound('Tenant');
}

/** The tenant of a `:tid` route (the hook guarantees one). */
export function tenantOf(request: FastifyRequest): Tenant {
  if (!request.tenant) throw notFound('Tenant');
  return request.tenant;
}

async function authenticate(request: FastifyRequest, ctx: ApiContext): Promise<Principal> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S{1,512})$/i.exec(header) : null;
  if (!match) throw unauthorized();
  const hash = hashToken(match[1]!);
  if (sameHash(hash, ctx.adminTokenHash)) return { kind: 'admin' };
  const credential = await ctx.store.credentials.findByHash(hash.toString('hex'));
  if (!credential || (credential.expiresAt && credential.expiresAt <= new Date())) throw unauthorized('Invalid or expired token');
  return {
    kind: 'tenant',
    tenantId: credential.tenantId,
    credentialId: credential.id,
    via: credential.kind === 'portal' ? 'portal' : 'tenant_key',
  };
}

/** The principal of an authenticated route (the hook guarantees one). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}
