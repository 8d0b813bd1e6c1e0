import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({}, {});
    expect(config).toMatchObject({
      databaseUrl: 'sqlite:./data/herald.db',
      port: 8080,
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:8080',
      adminToken: null,
      encryptionKey: null,
      egress: { allowHttp: false, allowedPrivateCidrs: [], proxyUrl: null },
      workers: true,
      migrate: true,
    });
  });

  it('reads the environment, and flags win over it', () => {
    const env = { HERALD_PORT: '9000', HERALD_DATABASE_URL: 'sqlite:/tmp/x.db', HERALD_ALLOW_HTTP: 'true', HERALD_ALLOWED_PRIVATE_CIDRS: '10.0.0.0/8' };
    expect(loadConfig({}, env)).toMatchObject({ port: 9000, databaseUrl: 'sqlite:/tmp/x.db', egress: { allowHttp: true, allowedPrivateCidrs: ['10.0.0.0/8'] } });
    expect(loadConfig({ port: '7000' }, env).port).toBe(7000);
  });

  it('treats HERALD_ALLOW_HTTP=false as false', () => {
    expect(loadConfig({}, { HERALD_ALLOW_HTTP: 'false' }).egress.allowHttp).toBe(false);
  });

  it('refuses an on/off setting spelled any other way than true/false, 1/0, yes/no, on/off', () => {
    expect(loadConfig({}, { HERALD_ALLOW_HTTP: 'on' }).egress.allowHttp).toBe(true);
    expect(() => loadConfig({}, { HERALD_ALLOW_HTTP: 'maybe' })).toThrow(/HERALD_ALLOW_HTTP: maybe/);
    expect(loadConfig({ deliveryThread: true }, {}).deliveryThread).toBe(true);
    expect(loadConfig({ deliveryThread: true }, { HERALD_DELIVERY_THREAD: 'off' }).deliveryThread).toBe(false);
    expect(() => loadConfig({ deliveryThread: true }, { HERALD_DELIVERY_THREAD: 'nope' })).toThrow(/HERALD_DELIVERY_THREAD/);
  });

  it('reads the cap on requests in flight to one endpoint: 16 unless configured, 1 to 1,000', () => {
    expect(loadConfig({}, {}).maxInFlightPerEndpoint).toBe(16);
    expect(loadConfig({}, { HERALD_MAX_IN_FLIGHT_PER_ENDPOINT: '4' }).maxInFlightPerEndpoint).toBe(4);
    expect(loadConfig({ maxInFlightPerEndpoint: '64' }, { HERALD_MAX_IN_FLIGHT_PER_ENDPOINT: '4' }).maxInFlightPerEndpoint).toBe(64);
    for (const bad of ['0', '1001', '2.5', 'many']) {
      expect(() => loadConfig({}, { HERALD_MAX_IN_FLIGHT_PER_ENDPOINT: bad })).toThrow(/HERALD_MAX_IN_FLIGHT_PER_ENDPOINT/);
    }
  });

  it('opens plain HTTP and loopback with --dev', () => {
    expect(loadConfig({ dev: true }, {}).egress).toMatchObject({ allowHttp: true, allowedPrivateCidrs: ['127.0.0.0/8', '::1/128'] });
  });

  it('refuses bad settings at start-up', () => {
    expect(() => loadConfig({ port: 'eighty' }, {})).toThrow(/port/i);
    expect(() => loadConfig({}, { HERALD_ALLOWED_PRIVATE_CIDRS: '10.0.0.0/99' })).toThrow();
    expect(() => loadConfig({}, { HERALD_EGRESS_PROXY: 'socks5://proxy:1080' })).toThrow(/http/);
  });

  it('reads HERALD_TRUST_PROXY as addresses or CIDRs, and refuses anything else', () => {
    expect(loadConfig({}, {}).trustProxy).toEqual([]);
    expect(loadConfig({}, { HERALD_TRUST_PROXY: '10.0.0.0/8, 192.0.2.7,::1' }).trustProxy).toEqual(['10.0.0.0/8', '192.0.2.7', '::1']);
    expect(() => loadConfig({}, { HERALD_TRUST_PROXY: 'proxy.internal' })).toThrow(/HERALD_TRUST_PROXY/);
  });
});
