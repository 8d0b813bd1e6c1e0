import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ApiContext } from '../context.js';
import { principalOf } from '../plugins/auth.js';

export const Me = Type.Union([
  Type.Object({ kind: Type.Literal('admin') }),
  Type.Object({ kind: Type.Literal('tenant'), tenantId: Type.String(), via: Type.Union([Type.Literal('tenant_key'), Type.Literal('portal')]) }),
]);

/** Who the bearer token belongs to: the dashboard asks this to pick the console or a tenant's portal. */
export const meRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app) => {
  app.get(
    '/me',
    { schema: { tags: ['System'], summary: 'Who this token is: the admin, or a tenant credential and its tenant', response: { 200: Me } } },
    async (request) => {
      const principal = principalOf(request);
      return principal.kind === 'admin'
        ? { kind: 'admin' as const }
        : { kind: 'tenant' as const, tenantId: principal.tenantId, via: principal.via };
    },
  );
};
