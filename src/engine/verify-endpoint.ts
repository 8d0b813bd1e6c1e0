import type { Dispatcher } from 'undici';
import { ids } from '../domain/ids.js';
import type { SecretBox } from '../signing/index.js';
import type { Store } from '../store/store.js';
import { runHandshake } from './handshake.js';

/** Runs an endpoint's verification handshake and stores the outcome, with an audit entry. */
export async function verifyEndpoint(
  store: Store,
  secretBox: SecretBox,
  dispatcher: Dispatcher,
  tenantId: string,
  endpointId: string,
): Promise<{ verified: boolean; reason: string | null }> {
  const [endpoint, secrets, tenant] = await Promise.all([
    store.endpoints.get(tenantId, endpointId),
    store.endpoints.getSecrets(tenantId, endpointId),
    store.tenants.get(tenantId),
  ]);
  if (!endpoint || !secrets?.verifyToken || !tenant) return { verified: false, reason: 'endpoint has no verify token' };
  const outcome = await runHandshake(endpoint.url, secretBox.open(secrets.verifyToken), tenant.settings.attemptTimeoutMs, dispatcher);
  await store.endpoints.update(
    tenantId,
    endpointId,
    outcome.verified ? { status: 'active', disabledReason: null } : { status: 'verification_failed', disabledReason: outcome.reason },
    new Date(),
  );
  await store.audit.append({
    id: ids.next('aud'),
    tenantId,
    actor: 'system',
    action: outcome.verified ? 'endpoint.verified' : 'endpoint.verification_failed',
    targetType: 'endpoint',
    targetId: endpointId,
    details: outcome.reason ? { reason: outcome.reason } : {},
    createdAt: new Date(),
  });
  return outcome;
}
