import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { validationFailed } from '../../errors.js';
import type { ApiContext } from '../context.js';
import { OperatorAuditEntry, PageQuery, pageOf } from '../schemas.js';

const AUDIT_CURSOR = /^aud_[0-9A-Z]{26}$/;

/** The operator's trail: catalog changes and tenants created, changed or deleted (admin only). */
export const operatorAuditRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/audit-log',
    { config: { access: 'operator' }, schema: { tags: ['Audit'], summary: "The operator's trail: catalog and tenant changes, newest first", querystring: PageQuery, response: { 200: pageOf(OperatorAuditEntry) } } },
    async (request) => {
      const { limit = 50, cursor } = request.query;
      if (cursor !== undefined && !AUDIT_CURSOR.test(cursor)) throw validationFailed('cursor is not one this API gave out', [{ path: '/cursor' }]);
      const page = await ctx.store.audit.listOperator({ limit, cursor });
      return {
        data: page.data.map((entry) => ({ ...entry, createdAt: entry.createdAt.toISOString() })),
        nextCursor: page.nextCursor,
      };
    },
  );
};
