import { describe, expect, it } from 'vitest';
import { HeraldError } from '../errors.js';
import { checkEndpointUrl } from './check-url.js';
import type { EgressPolicy, Resolver } from './egress-policy.js';

// Never real DNS: any name not in the table fails like NXDOMAIN.
const fakeDns = (table: Record<string, string[]>): Resolver => async (host) => {
  const addrs = table[host];
  if (!addrs) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

const policy = (over: Partial<EgressPolicy> = {}): EgressPolicy => ({
  allowHttp: true, // so the refusals below are about the address, not the scheme
  allowedPrivateCidrs: [],
  proxyUrl: null,
  resolve: fakeDns({ 'good.example': ['93.184.216.34'], 'mixed.example': ['93.184.216.34', '10.0.0.1'] }),
  ...over,
});

async function refusal(url: string, p = policy()): Promise<HeraldError> {
  const err = await checkEndpointUrl(url, p).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `${url} should be refused`).toBeInstanceOf(HeraldError);
  expect((err as HeraldError).code).toBe('unsafe_url');
  return err as HeraldError;
}

describe('checkEndpointUrl', () => {
  it.each([
    ['http://127.1/', /127\.0\.0\.1.*loopback/],
    ['http://2130706433/', /127\.0\.0\.1.*loopback/],
    ['http://0x7f000001/', /127\.0\.0\.1.*loopback/],
    ['http://0177.0.0.1/', /127\.0\.0\.1.*loopback/],
    ['http://localhost/', /loopback/],
    ['http://localhost./', /loopback/],
    ['http://api.localhost/', /loopback/],
    ['http://[::1]/', /::1.*loopback/],
    ['http://[::ffff:127.0.0.1]/', /loopback/],
    ['http://[::ffff:7f00:1]/', /loopback/],
    ['http://[::127.0.0.1]/', /IPv4-compatible/],
    ['http://0.0.0.0/', /unspecified/],
    ['http://[::]/', /unspecified/],
    ['http://10.0.0.1/', /private/],
    ['http://172.16.0.1/', /private/],
    ['http://192.168.0.1/', /private/],
    ['http://169.254.169.254/latest/meta-data/', /cloud metadata/],
    ['http://[fe80::1]/', /link-local/],
    ['http://100.64.0.1/', /carrier-grade NAT/],
    ['http://224.0.0.1/', /multicast/],
    ['http://255.255.255.255/', /broadcast/],
    ['http://[fc00::1]/', /unique local/],
    ['http://[64:ff9b::7f00:1]/', /NAT64/],
    ['http://[64:ff9b:1::a00:1]/', /NAT64/],
    ['http://[2002:7f00:1::]/', /6to4/],
    ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', /Teredo/],
    ['http://198.18.0.1/', /reserved/],
    ['http://192.0.2.1/', /reserved/],
    ['http://[2001:db8::1]/', /reserved/],
    ['https://good.com@127.0.0.1/', /credentials.*127\.0\.0\.1/],
    ['https://user:pass@good.example/', /credentials/],
    ['ftp://good.example/', /scheme "ftp:"/],
    ['file:///etc/passwd', /scheme "file:"/],
    ['javascript:alert(1)', /scheme "javascript:"/],
    ['not a url', /not a valid/],
    ['https://nxdomain.example/', /could not resolve host nxdomain\.example/],
    ['https://mixed.example/', /^host mixed\.example resolves to an address that is not allowed$/],
  ])('refuses %s', async (url, message) => {
    expect((await refusal(url)).message).toMatch(message);
  });

  it('sends what a refused name resolved to to the log, not to the client', async () => {
    const logged: object[] = [];
    const refused = await checkEndpointUrl('https://mixed.example/', policy(), { warn: (details) => logged.push(details) }).catch((e: HeraldError) => e);
    expect((refused as HeraldError).message).not.toContain('10.0.0.1');
    expect(logged).toEqual([{ host: 'mixed.example', address: '10.0.0.1', reason: expect.stringMatching(/private/) }]);
  });

  it('refuses URLs over 2048 characters', async () => {
    const url = `https://good.example/${'a'.repeat(2048)}`;
    expect((await refusal(url)).message).toMatch(/2048/);
  });

  it('passes https to a public IP literal without DNS', async () => {
    const p = policy({ resolve: async () => { throw new Error('DNS must not be used'); } });
    const url = await checkEndpointUrl('https://93.184.216.34/hooks?x=1', p);
    expect(url.hostname).toBe('93.184.216.34');
    expect((await checkEndpointUrl('https://[2606:4700:4700::1111]/', p)).hostname).toBe('[2606:4700:4700::1111]');
  });

  it('passes a name whose every address is public', async () => {
    expect((await checkEndpointUrl('https://good.example/in', policy())).href).toBe('https://good.example/in');
  });

  it('refuses plain http unless allowHttp', async () => {
    expect((await refusal('http://good.example/', policy({ allowHttp: false }))).message).toMatch(/https/);
    await expect(checkEndpointUrl('http://good.example/', policy())).resolves.toBeInstanceOf(URL);
  });

  it('allows loopback only when its range is allow-listed', async () => {
    const dev = policy({ allowedPrivateCidrs: ['127.0.0.0/8'] });
    await expect(checkEndpointUrl('http://127.0.0.1:8080/hook', dev)).resolves.toBeInstanceOf(URL);
    await expect(checkEndpointUrl('http://localhost:8080/hook', dev)).resolves.toBeInstanceOf(URL);
    await expect(checkEndpointUrl('http://[::ffff:127.0.0.1]/', dev)).resolves.toBeInstanceOf(URL);
    await refusal('http://[::1]/', dev);
    await refusal('http://10.0.0.1/', dev);
  });
});
