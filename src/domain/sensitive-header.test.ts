import { describe, expect, it } from 'vitest';
import { isSensitiveHeader, redactHeaders } from './sensitive-header.js';

describe('isSensitiveHeader', () => {
  it.each(['Authorization', 'proxy-authorization', 'COOKIE', 'X-Api-Key', 'X-Auth-User', 'x-access-token', 'Client-Secret', 'X-Password', 'webhook-signature'])('%s is sensitive', (name) => {
    expect(isSensitiveHeader(name)).toBe(true);
  });
  it.each(['X-Tenant', 'Accept-Language', 'webhook-id', 'user-agent', 'content-type'])('%s is not', (name) => {
    expect(isSensitiveHeader(name)).toBe(false);
  });
  it('redacts values, keeps names', () => {
    expect(redactHeaders({ Authorization: 'Bearer x', 'X-Plain': 'y' })).toEqual({ Authorization: '[redacted]', 'X-Plain': 'y' });
  });
});
