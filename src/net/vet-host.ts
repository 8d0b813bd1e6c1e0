import net from 'node:net';
import type { AddressRules } from './address-rules.js';
import type { ResolvedAddress, Resolver } from './egress-policy.js';

export type Vetted =
  | { ok: true; addresses: ResolvedAddress[] }
  | { ok: false; kind: 'blocked'; host: string; address: string; reason: string }
  | { ok: false; kind: 'dns'; host: string; detail: string };

/** URL.hostname keeps IPv6 literals in brackets; sockets and DNS want them bare. */
export function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/** RFC 6761: localhost and *.localhost are loopback by name, whatever DNS would say. */
export function isLocalhostName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

const LOOPBACK: ResolvedAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];

/**
 * Resolves a host and judges every address. A resolved name passes only when ALL its addresses
 * pass: a mixed answer (public + internal) is how rebinding attacks look. `localhost` is not
 * attacker-controlled DNS, so it passes with whichever loopback addresses are allow-listed.
 */
export async function vetHost(hostname: string, rules: AddressRules, resolve: Resolver): Promise<Vetted> {
  const host = bareHost(hostname);
  const family = net.isIP(host);
  if (family) {
    const v = rules.check(host);
    return v.allowed
      ? { ok: true, addresses: [{ address: host, family: family as 4 | 6 }] }
      : { ok: false, kind: 'blocked', host, address: host, reason: v.reason };
  }
  if (isLocalhostName(host)) {
    const addresses = LOOPBACK.filter((a) => rules.check(a.address).allowed);
    return addresses.length
      ? { ok: true, addresses }
      : { ok: false, kind: 'blocked', host, address: '127.0.0.1', reason: 'loopback address (localhost)' };
  }
  let found: ResolvedAddress[];
  try {
    found = await resolve(host);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { ok: false, kind: 'dns', host, detail: typeof code === 'string' ? code : String((err as Error)?.message ?? err) };
  }
  if (found.length === 0) return { ok: false, kind: 'dns', host, detail: 'no addresses' };
  for (const a of found) {
    const v = rules.check(a.address);
    if (!v.allowed) return { ok: false, kind: 'blocked', host, address: a.address, reason: v.reason };
  }
  return { ok: true, addresses: found };
}
