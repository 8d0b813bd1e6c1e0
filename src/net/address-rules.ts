import { isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;
export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

/** Human wording for ipaddr.js range names; anything not listed falls back to the raw name. */
const RANGE_REASONS: Record<string, string> = {
  unspecified: 'unspecified address',
  broadcast: 'broadcast address',
  multicast: 'multicast address',
  linkLocal: 'link-local address',
  loopback: 'loopback address',
  carrierGradeNat: 'carrier-grade NAT range (100.64.0.0/10)',
  private: 'private network (RFC 1918)',
  reserved: 'reserved, documentation or benchmarking range',
  benchmarking: 'benchmarking range',
  uniqueLocal: 'unique local address (fc00::/7)',
  deprecatedSiteLocal: 'site-local address (fec0::/10)',
  rfc6145: 'IPv4-translated address (::ffff:0:0:0/96)',
  rfc6052: 'NAT64 address (embeds an IPv4 address)',
  '6to4': '6to4 address (embeds an IPv4 address)',
  teredo: 'Teredo address (embeds an IPv4 address)',
};

const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

/**
 * Accepts only canonical literals: dotted-quad decimal IPv4 or IPv6 without a zone. Addresses
 * reach us from WHATWG URL or getaddrinfo, both canonical; refusing odd spellings (octal, hex,
 * short forms) here means we never judge one address and connect to another.
 */
function parseStrict(address: string): Addr | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return ipaddr.IPv4.parse(address);
  if (!isIPv6(address) || address.includes('%')) return null;
  // ipaddr.js reads '::a.b.c.d' as IPv4-mapped (::ffff:a.b.c.d), while the socket layer means
  // ::/96 (::7f00:1), so that spelling would be judged as one address and dialled as another.
  // WHATWG URL's IPv6 parser yields the canonical all-hex form, which ipaddr.js reads correctly.
  try {
    return ipaddr.IPv6.parse(new URL(`http://[${address}]/`).hostname.slice(1, -1));
  } catch {
    return null;
  }
}

/** `::ffff:a.b.c.d` is the IPv4 host itself as far as the kernel is concerned. */
function unwrapMapped(addr: Addr): Addr {
  return addr instanceof ipaddr.IPv6 && addr.isIPv4MappedAddress() ? addr.toIPv4Address() : addr;
}

function parseCidr(cidr: string): [Addr, number] {
  const text = cidr.trim();
  try {
    // A bare address means "just this host".
    const [net, bits] = text.includes('/')
      ? ipaddr.parseCIDR(text)
      : (() => {
          const a = ipaddr.parse(text);
          return [a, a.kind() === 'ipv4' ? 32 : 128] as [Addr, number];
        })();
    // An IPv4-mapped CIDR (::ffff:10.0.0.0/104) is written as the IPv4 CIDR it means.
    if (net instanceof ipaddr.IPv6 && net.isIPv4MappedAddress() && bits >= 96) {
      return [net.toIPv4Address(), bits - 96];
    }
    return [net, bits];
  } catch {
    throw new Error(`invalid CIDR in allowed private ranges: "${cidr}"`);
  }
}

/** The explicit refusal reason for an (already unwrapped) address, or null when it is public. */
function refusal(addr: Addr): string | null {
  const range = addr.range();
  if (addr.kind() === 'ipv4') {
    if (range === 'unicast') return null;
    if (range === 'linkLocal' && addr.toString() === '169.254.169.254') {
      return 'link-local address (cloud metadata service)';
    }
    return RANGE_REASONS[range] ?? `special-purpose range (${range})`;
  }
  const v6 = addr as ipaddr.IPv6; // kind() is a method, so TypeScript cannot narrow on it
  if (range !== 'unicast') return RANGE_REASONS[range] ?? `special-purpose range (${range})`;
  // ipaddr.js calls ::/96 (IPv4-compatible, e.g. ::127.0.0.1) plain "unicast"; some stacks
  // still route it to the embedded IPv4, so it is refused outright.
  if (v6.parts.slice(0, 6).every((p) => p === 0)) return 'IPv4-compatible IPv6 address (::/96)';
  // Only 2000::/3 is allocated as global unicast; everything else is reserved by IANA.
  if (!v6.match(GLOBAL_UNICAST_V6)) return 'IPv6 address outside global unicast (2000::/3)';
  return null;
}

/** Which addresses Herald may send webhooks to: public unicast, plus the operator's named CIDRs. */
export class AddressRules {
  private readonly allowed: [Addr, number][];

  constructor(allowedCidrs: readonly string[] = []) {
    this.allowed = allowedCidrs.filter((c) => c.trim() !== '').map(parseCidr);
  }

  check(address: string): AddressVerdict {
    const parsed = parseStrict(address);
    if (!parsed) return { allowed: false, reason: 'not a canonical IP address' };
    const addr = unwrapMapped(parsed);
    if (this.isListed(addr)) return { allowed: true };
    // Well-known NAT64 (DNS64 on IPv6-only hosts) reaches exactly the embedded IPv4, so judge
    // that one. The local-use prefix 64:ff9b:1::/48, 6to4 and Teredo stay refused outright.
    if (addr.kind() === 'ipv6' && addr.match(NAT64_WELL_KNOWN)) {
      const v4 = ipaddr.fromByteArray(addr.toByteArray().slice(12));
      const inner = this.check(v4.toString());
      return inner.allowed ? inner : { allowed: false, reason: `NAT64 address embedding ${v4}: ${inner.reason}` };
    }
    const reason = refusal(addr);
    return reason ? { allowed: false, reason } : { allowed: true };
  }

  private isListed(addr: Addr): boolean {
    return this.allowed.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
  }
}

/** One-off check; prefer a shared `AddressRules` when checking many addresses. */
export function isAddressAllowed(address: string, allowedCidrs: readonly string[] | AddressRules = []): AddressVerdict {
  const rules = allowedCidrs instanceof AddressRules ? allowedCidrs : new AddressRules(allowedCidrs);
  return rules.check(address);
}
