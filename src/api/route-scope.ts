import { Type, type TObject, type TString } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { EventType } from '../domain/event-type.js';
import { OPERATIONAL_EVENT_TYPES, OPERATOR_TENANT_ID } from '../domain/operational-event.js';
import { notFound } from '../errors.js';
import type { Store } from '../store/store.js';
import type { ApiContext } from './context.js';
import { openToPortal, type RouteAccess } from './plugins/auth.js';

/** What an endpoint's subscriptions and test sends are checked against. */
export interface EventCatalog {
  get(name: string): Promise<Pick<EventType, 'name' | 'example'> | null>;
}

/**
 * Where the endpoint, endpoint-action and delivery routes are mounted. The same route files
 * serve a tenant's endpoints (`/tenants/:tid/…`) and the operator's (`/operator/…`: endpoints
 * of the reserved tenant, admin token only, subscribing to operational events), so there is one
 * handler per action whoever calls it. Handlers take the tenant from `tenantOf(request)`.
 */
export interface RouteScope {
  kind: 'tenant' | 'operator';
  /** The path before `/endpoints`, `/deliveries`. */
  base: string;
  tags: (tag: string) => string[];
  params: TObject<{}>;
  endpointParams: TObject<{ eid: TString }>;
  deliveryParams: TObject<{ did: TString }>;
  catalog(store: Store): EventCatalog;
}

const id = () => Type.String({ maxLength: 64 });
/** Handlers read only the object's id from the params (the tenant comes from `tenantOf`), so `:tid` is typed away. */
const withTenant = <T extends TObject>(params: T) => Type.Object({ tid: id(), ...params.properties }) as unknown as T;

export const TENANT_SCOPE: RouteScope = {
  kind: 'tenant',
  base: '/tenants/:tid',
  tags: (tag) => [tag],
  params: withTenant(Type.Object({})),
  endpointParams: withTenant(Type.Object({ eid: id() })),
  deliveryParams: withTenant(Type.Object({ did: id() })),
  catalog: (store) => store.eventTypes,
};

const operatorCatalog: EventCatalog = {
  get: async (name) => OPERATIONAL_EVENT_TYPES.find((type) => type.name === name) ?? null,
};

export const OPERATOR_SCOPE: RouteScope = {
  kind: 'operator',
  base: '/operator',
  tags: () => ['Operator'],
  params: Type.Object({}),
  endpointParams: Type.Object({ eid: id() }),
  deliveryParams: Type.Object({ did: id() }),
  catalog: () => operatorCatalog,
};

/**
 * Declares who may call the routes a file registers after this call: in the tenant scope a
 * portal token may (endpoint management, delivery logs), in the operator scope only the admin
 * token, whose requests then act on the reserved tenant.
 */
export function enterScope(app: FastifyInstance, ctx: ApiContext, scope: RouteScope): void {
  if (scope.kind === 'tenant') return openToPortal(app);
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: 'operator' satisfies RouteAccess } as typeof route.config;
  });
  app.addHook('preHandler', async (request) => {
    request.tenant = await ctx.store.tenants.get(OPERATOR_TENANT_ID);
    if (!request.tenant) throw notFound('Operator tenant (run the migrations)');
  });
}
