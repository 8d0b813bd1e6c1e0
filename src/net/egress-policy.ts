import { lookup } from 'node:dns/promises';
import { AddressRules } from './address-rules.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface EgressPolicy {
  /** Plain http:// allowed (dev/tests). */
  allowHttp: boolean;
  /** Private ranges opened explicitly, e.g. ['127.0.0.0/8', '::1/128']. */
  allowedPrivateCidrs: string[];
  /** HERALD_EGRESS_PROXY, http://host:port. */
  proxyUrl: string | null;
  /** Injectable DNS; defaults to node:dns lookup with all: true. */
  resolve?: Resolver;
}

export const systemResolver: Resolver = async (hostname) => {
  // verbatim keeps the OS order (IPv6 first where configured), as net.connect would use it.
  const found = await lookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

const rulesCache = new WeakMap<EgressPolicy, AddressRules>();

/** Parsed CIDRs for a policy, built once per policy object (treat policies as immutable). */
export function rulesFor(policy: EgressPolicy): AddressRules {
  let rules = rulesCache.get(policy);
  if (!rules) {
    rules = new AddressRules(policy.allowedPrivateCidrs);
    rulesCache.set(policy, rules);
  }
  return rules;
}

/** Throws on a malformed CIDR or proxy URL, so a bad setting stops start-up, not a delivery. */
export function validateEgressPolicy(policy: EgressPolicy): EgressPolicy {
  rulesFor(policy);
  if (policy.proxyUrl) parseProxyUrl(policy.proxyUrl);
  return policy;
}

export function parseProxyUrl(proxyUrl: string): URL {
  let url: URL;
  try {
    url = new URL(proxyUrl);
  } catch {
    throw new Error(`invalid egress proxy URL: "${proxyUrl}"`);
  }
  if (url.protocol !== 'http:') throw new Error(`egress proxy must be an http:// URL, got "${url.protocol}"`);
  return url;
}
