import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isOperatorTenant } from '../../domain/operational-event.js';
import type { Tenant } from '../../domain/tenant.js';
import { forbidden, HeraldError, notFound, unauthorized } from '../../errors.js';
import type { ApiContext } from '../context.js';
import { hashToken, sameHash, type Principal } from '../principal.js';
import { FailedAuthLimit } from './failed-auth-limit.js';
import { LastUsed } from './last-used.js';
import { TokenBuckets } from './token-buckets.js';

/**
 * Who may call a route, declared on the route (`config: { access }`), never by a list of paths:
 * - `operator`: the admin token only;
 * - `tenant`: also a tenant API key, on its own tenant;
 * - `portal`: also a portal token, on its own tenant.
 * Unset, a read (GET, HEAD) is `portal` and a write is `tenant`: a new write route (a publish,
 * say) is closed to portal tokens until it opts in, so forgetting fails safe.
 */
export type RouteAccess = 'operator' | 'tenant' | 'portal';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The tenant named by the route's `:tid`, loaded once by the auth hook. */
    tenant: Tenant | null;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

export function accessOf(method: string, declared: RouteAccess | undefined): RouteAccess {
  return declared ?? (method === 'GET' || method === 'HEAD' ? 'portal' : 'tenant');
}

/**
 * Authentication and tenant scoping for every /api/v1 route, as one onRequest hook on the
 * scope that holds them all, so no route can skip it. A tenant credential addressing another
 * tenant gets 404, the same answer as a tenant that does not exist.
 */
export function registerAuth(app: FastifyInstance, ctx: ApiContext): void {
  const buckets = new TokenBuckets(ctx.tenantRateLimit.perSecond, ctx.tenantRateLimit.burst);
  const failures = new FailedAuthLimit();
  const lastUsed = new LastUsed(ctx.store.credentials, app.log);
  app.addHook('onClose', () => lastUsed.close());
  app.decorateRequest('principal', null);
  app.decorateRequest('tenant', null);
  app.addHook('onRequest', async (request) => {
    const tid = (request.params as { tid?: string }).tid;
    // The catch-up runs beside the credential's lookup, not after it: on PostgreSQL each is a
    // round trip, and a publish's call waited for the two one behind the other.
    const caughtUp = tid === undefined ? null : ctx.store.catchUpOnChanges();
    // Awaited by loadTenant; a request refused before that must not leave its failure unhandled.
    caughtUp?.catch(() => undefined);
    const principal = await authenticate(request, ctx, failures);
    request.principal = principal;
    if (principal.kind === 'admin') return loadTenant(request, ctx, tid, caughtUp);
    lastUsed.record(principal.credentialId, new Date());
    const wait = buckets.take(principal.credentialId);
    if (wait > 0) {
      throw new HeraldError('rate_limited', 'Too many requests for this key', [], { 'retry-after': String(Math.ceil(wait / 1000)) });
    }
    // Operator routes first, then the tenant, then the portal's scope: another tenant's routes
    // answer 404 whatever the credential, as a tenant that does not exist would.
    const access = accessOf(request.method, request.routeOptions.config.access);
    if (access === 'operator') throw forbidden();
    if (tid !== undefined && tid !== principal.tenantId) throw notFound('Tenant');
    if (access === 'tenant' && principal.via === 'portal') throw forbidden('A portal token cannot do this: it reads its tenant and manages its endpoints');
    return loadTenant(request, ctx, tid, caughtUp);
  });
}

/**
 * The tenant, its endpoint matchers and the event types come from memory, once `caughtUp` has
 * taken in whatever another process changed before this request arrived.
 */
async function loadTenant(request: FastifyRequest, ctx: ApiContext, tid: string | undefined, caughtUp: Promise<void> | null): Promise<void> {
  if (tid === undefined) return;
  if (isOperatorTenant(tid)) throw notFound('Tenant'); // reached through /operator routes only (route-scope.ts)
  await caughtUp;
  request.tenant = await ctx.catalog.tenant(tid);
  if (!request.tenant) throw notFound('Tenant');
}

/** The tenant of a `:tid` route (the hook guarantees one). */
export function tenantOf(request: FastifyRequest): Tenant {
  if (!request.tenant) throw notFound('Tenant');
  return request.tenant;
}

/**
 * The principal of a valid bearer token. Every tenant credential is looked up in the store on
 * every request (no process-local cache), so a revocation holds at once on every process.
 * Without a valid one the address's failure is counted; a blocked address gets 429 instead of 401.
 */
async function authenticate(request: FastifyRequest, ctx: ApiContext, failures: FailedAuthLimit): Promise<Principal> {
  const principal = await principalFor(request.headers.authorization, ctx);
  if (principal) return principal;
  const wait = failures.blocked(request.ip);
  if (wait > 0) {
    throw new HeraldError('rate_limited', 'Too many failed authentications from this address', [], { 'retry-after': String(Math.ceil(wait / 1000)) });
  }
  failures.fail(request.ip);
  throw request.headers.authorization ? unauthorized('Invalid, revoked or expired token') : unauthorized();
}

async function principalFor(header: string | undefined, ctx: ApiContext): Promise<Principal | null> {
  const match = header ? /^Bearer\s+(\S{1,512})$/i.exec(header) : null;
  if (!match) return null;
  const hash = hashToken(match[1]!);
  if (sameHash(hash, ctx.adminTokenHash)) return { kind: 'admin' };
  const credential = await ctx.store.credentials.findByHash(hash.toString('hex'));
  if (!credential || (credential.expiresAt && credential.expiresAt <= new Date())) return null;
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

/**
 * Declares, for a route file whose every route is one a portal token may call (endpoint
 * management, delivery retries), that the routes registered after it in the file are
 * `portal`, unless a route declares otherwise. One line per file instead of one per route.
 */
export function openToPortal(app: Pick<FastifyInstance, 'addHook'>): void {
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: route.config?.access ?? 'portal' } as typeof route.config;
  });
}
