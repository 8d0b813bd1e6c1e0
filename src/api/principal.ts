import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../domain/audit.js';

export type Principal =
  | { kind: 'admin' }
  | { kind: 'tenant'; tenantId: string; credentialId: string; via: 'tenant_key' | 'portal' };

export const actorOf = (principal: Principal): Actor => (principal.kind === 'admin' ? 'admin' : principal.via);

/** Tokens are kept as SHA-256 hashes: they are long and random, so no slow hash is needed. */
export const hashToken = (token: string): Buffer => hash('sha256', token, 'buffer');

export const sameHash = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/** A new random token with a readable prefix saying what it is. */
export const newToken = (prefix: string): string => `${prefix}_${randomBytes(32).toString('base64url')}`;
