// request.country end to end: a node started with geoip.database (a real .mmdb written by
// test/helpers/mmdb-writer.ts) and loopback as a trusted proxy, a route whose access-rules allow France only
// applied from YAML by `keyway apply`, and callers placed by X-Forwarded-For. Then the cases around it: a
// bad database path stops the start naming the setting; a peer that is not a trusted proxy cannot pick its
// country; without a database every country is ''.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { request } from 'undici';
import { openCountryDatabase } from '../../src/server/geoip.js';
import { startNode, type RunningNode } from '../../src/server/node.js';
import { loadSettings } from '../../src/server/settings.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';
import { runCli } from '../helpers/keyway-process.js';
import { country, writeMmdb } from '../helpers/mmdb-writer.js';
import { startEcho, type TestServer } from '../helpers/upstream.js';

const FR = '192.0.2.10';
const US = '198.51.100.20';

const YAML = (backend: string) =>
  [
    '_format_version: "1"',
    'services:',
    '  - name: reports',
    `    url: http://${backend}`,
    '    routes:',
    '      - name: reports',
    '        paths: [/reports]',
    '        plugins:',
    '          - name: access-rules',
    '            config:',
    '              rules:',
    '                - name: france-only',
    '                  effect: allow',
    '                  when: request.country == "FR"',
    '',
  ].join('\n');

async function call(base: string, forwardedFor?: string) {
  const res = await request(`${base}/reports`, {
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  });
  const text = await res.body.text();
  return { status: res.statusCode, code: /"code":"(KW_ERR_[A-Z_]+)"/.exec(text)?.[1] };
}

describe('request.country from a GeoIP database (one node)', () => {
  let backend: TestServer;
  let node: RunningNode;
  let proxyUrl: string;
  let database: string;
  const settings = (extra: Record<string, string>) =>
    loadSettings({
      env: {
        KEYWAY_DATA_DIR: mkdtempSync(join(tmpdir(), 'keyway-geoip-node-')),
        KEYWAY_PROXY_LISTEN: '127.0.0.1:0',
        KEYWAY_ADMIN_LISTEN: '127.0.0.1:0',
        KEYWAY_PORTAL_LISTEN: 'off',
        KEYWAY_TRUSTED_PROXIES: '127.0.0.1/32',
        ...extra,
      },
    });

  before(async () => {
    backend = await startEcho('reports-backend');
    const dir = mkdtempSync(join(tmpdir(), 'keyway-geoip-'));
    database = join(dir, 'GeoLite2-Country.mmdb');
    writeFileSync(
      database,
      writeMmdb([
        { cidr: '192.0.2.0/24', data: country('FR') },
        { cidr: '198.51.100.0/24', data: country('US') },
      ]),
    );
    const s = settings({ KEYWAY_GEOIP_DATABASE: database });
    node = await startNode({ settings: s, logger: pino({ level: 'silent' }) });
    proxyUrl = `http://${node.addresses.proxy}`;
    const adminUrl = `http://${node.addresses.admin}`;
    writeFileSync(join(dir, 'reports.yaml'), YAML(backend.address));
    const env = { KEYWAY_ADMIN_URL: adminUrl, KEYWAY_DATA_DIR: s.data_dir };
    const r = await runCli(['apply', '-f', join(dir, 'reports.yaml')], env);
    assert.equal(r.code, 0, r.stderr);
    await node.snapshots.refresh();
  });
  after(async () => {
    await node?.stop();
    await backend?.close();
  });

  it('a caller in France gets through; one in the US gets 403 KW_ERR_ACCESS_DENIED', async () => {
    assert.deepEqual(await call(proxyUrl, FR), { status: 200, code: undefined });
    assert.deepEqual(await call(proxyUrl, US), { status: 403, code: 'KW_ERR_ACCESS_DENIED' });
  });

  it('an address the database does not know (loopback itself, unallocated space) has country ""', async () => {
    assert.deepEqual(await call(proxyUrl), { status: 403, code: 'KW_ERR_ACCESS_DENIED' });
    assert.deepEqual(await call(proxyUrl, '203.0.113.1'), { status: 403, code: 'KW_ERR_ACCESS_DENIED' });
  });

  it('a database path that cannot be read stops the start, naming geoip.database', async () => {
    await assert.rejects(
      startNode({
        settings: settings({ KEYWAY_GEOIP_DATABASE: join(tmpdir(), 'keyway-no-such-dir', 'x.mmdb') }),
        logger: pino({ level: 'silent' }),
      }),
      (err: Error) => {
        assert.match(err.message, /invalid node setting geoip\.database: cannot read .*ENOENT/);
        return true;
      },
    );
  });
});

describe('request.country around the database', () => {
  let backend: TestServer;
  let database: string;
  const gateways: TestGateway[] = [];
  const cfg = (when: string) =>
    state({
      services: [{ name: 'svc', url: `http://${backend.address}` }],
      routes: [{ name: 'reports', service: 'svc', paths: ['/reports'] }],
      plugins: [
        {
          name: 'access-rules',
          route: 'reports',
          config: { rules: [{ name: 'country', effect: 'allow', when }] },
        },
      ],
    });

  before(async () => {
    backend = await startEcho('reports-backend');
    database = join(mkdtempSync(join(tmpdir(), 'keyway-geoip-')), 'country.mmdb');
    writeFileSync(database, writeMmdb([{ cidr: '192.0.2.0/24', data: country('FR') }]));
  });
  after(async () => {
    for (const gw of gateways) await gw.close();
    await backend.close();
  });

  it('a peer that is not a trusted proxy cannot choose its country with X-Forwarded-For', async () => {
    const gw = await startGateway(cfg('request.country == "FR"'), {
      services: { geoip: openCountryDatabase(database) },
    });
    gateways.push(gw);
    assert.deepEqual(await call(gw.url, FR), { status: 403, code: 'KW_ERR_ACCESS_DENIED' });
  });

  it('looks the country up only for routes whose rules read it', async () => {
    const real = openCountryDatabase(database);
    const asked: string[] = [];
    const geoip = {
      country(ip: string) {
        asked.push(ip);
        return real.country(ip);
      },
    };
    const services = { geoip };
    const ip = await startGateway(cfg('request.ip.inCidr("192.0.2.0/24")'), {
      trusted: ['127.0.0.1/32'],
      services,
    });
    const fr = await startGateway(cfg('request.country == "FR"'), { trusted: ['127.0.0.1/32'], services });
    gateways.push(ip, fr);
    assert.deepEqual(await call(ip.url, FR), { status: 200, code: undefined });
    assert.deepEqual(asked, []);
    assert.deepEqual(await call(fr.url, FR), { status: 200, code: undefined });
    assert.deepEqual(asked, [FR]);
  });

  it('without a database, every caller\'s country is ""', async () => {
    const fr = await startGateway(cfg('request.country == "FR"'), { trusted: ['127.0.0.1/32'] });
    const none = await startGateway(cfg('request.country == ""'), { trusted: ['127.0.0.1/32'] });
    gateways.push(fr, none);
    assert.deepEqual(await call(fr.url, FR), { status: 403, code: 'KW_ERR_ACCESS_DENIED' });
    assert.deepEqual(await call(none.url, FR), { status: 200, code: undefined });
  });
});
