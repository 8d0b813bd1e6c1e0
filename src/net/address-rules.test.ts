import { describe, expect, it } from 'vitest';
import { AddressRules, isAddressAllowed } from './address-rules.js';

const refused = (address: string, cidrs: string[] = []) => {
  const v = isAddressAllowed(address, cidrs);
  return v.allowed ? null : v.reason;
};

describe('isAddressAllowed', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['0.0.0.0', /unspecified/],
    ['10.1.2.3', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['169.254.169.254', /cloud metadata/],
    ['169.254.1.1', /link-local/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['240.0.0.1', /reserved/],
    ['198.18.0.1', /reserved/],
    ['192.0.2.1', /reserved/],
    ['198.51.100.7', /reserved/],
    ['203.0.113.9', /reserved/],
    ['192.0.0.8', /reserved/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['fe80::1', /link-local/],
    ['fc00::1', /unique local/],
    ['fd12:3456::1', /unique local/],
    ['ff02::1', /multicast/],
    ['2001:db8::1', /reserved/],
    ['::ffff:127.0.0.1', /loopback/],
    ['::ffff:7f00:1', /loopback/],
    ['::ffff:169.254.169.254', /cloud metadata/],
    ['::127.0.0.1', /IPv4-compatible/],
    ['::8.8.8.8', /IPv4-compatible/],
    ['64:ff9b::7f00:1', /NAT64 address embedding 127\.0\.0\.1: loopback/],
    ['64:ff9b::10.0.0.1', /private/],
    ['64:ff9b:1::808:808', /NAT64/],
    ['2002:7f00:1::', /6to4/],
    ['2002:808:808::1', /6to4/],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /Teredo/],
    ['4000::1', /global unicast/],
    ['fec0::1', /site-local/],
    ['0177.0.0.1', /canonical/],
    ['127.1', /canonical/],
    ['fe80::1%eth0', /canonical/],
    ['example.com', /canonical/],
  ])('refuses %s', (address, reason) => {
    expect(refused(address)).toMatch(reason);
  });

  it.each(['93.184.216.34', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    'allows public %s',
    (address) => {
      expect(isAddressAllowed(address)).toEqual({ allowed: true });
    },
  );

  it('opens allow-listed ranges, unwrapping IPv4-mapped addresses', () => {
    const rules = new AddressRules(['127.0.0.0/8', '::1/128', '10.0.0.5']);
    expect(rules.check('127.0.0.1').allowed).toBe(true);
    expect(rules.check('127.9.9.9').allowed).toBe(true);
    expect(rules.check('::ffff:127.0.0.1').allowed).toBe(true);
    expect(rules.check('::1').allowed).toBe(true);
    expect(rules.check('10.0.0.5').allowed).toBe(true);
    expect(rules.check('10.0.0.6').allowed).toBe(false);
    expect(rules.check('169.254.169.254').allowed).toBe(false);
    // The transition ranges are judged as IPv6, not opened by an IPv4 CIDR.
    expect(rules.check('2002:7f00:1::').allowed).toBe(false);
    expect(rules.check('::127.0.0.1').allowed).toBe(false);
  });

  it('accepts IPv4-mapped CIDRs and refuses malformed ones', () => {
    expect(new AddressRules(['::ffff:192.168.0.0/112']).check('192.168.3.4').allowed).toBe(true);
    expect(() => new AddressRules(['10.0.0.0/33'])).toThrow(/invalid CIDR/);
    expect(() => new AddressRules(['nonsense'])).toThrow(/invalid CIDR/);
  });
});
