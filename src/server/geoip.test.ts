/**
 * The GeoIP country database: a real `.mmdb` file written by the test writer (test/helpers/mmdb-writer.ts),
 * read back first with the `maxmind` package alone (so the file is what MaxMind's readers accept), then
 * through the node's `openCountryDatabase`, and refused with the setting's name when it is not usable.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import maxmind, { type CountryResponse } from 'maxmind';
import { country, writeMmdb } from '../../test/helpers/mmdb-writer.js';
import { KeywayError } from '../core/errors.js';
import { openCountryDatabase } from './geoip.js';
import { loadSettings } from './settings.js';

const NETWORKS = [
  { cidr: '192.0.2.0/24', data: country('FR') },
  { cidr: '198.51.100.0/25', data: country('US') },
  { cidr: '2001:db8::/32', data: country('DE') },
];

function file(bytes: Buffer | string, name = 'country.mmdb'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'keyway-geoip-')), name);
  writeFileSync(path, bytes);
  return path;
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof KeywayError, String(err));
    assert.equal(err.code, 'KW_ERR_NODE_CONFIG');
    return err.message;
  }
  assert.fail('not refused');
}

describe('GeoIP country database', () => {
  it('the written file reads back with the maxmind package: metadata, IPv4 under ::/96, IPv6', async () => {
    const reader = await maxmind.open<CountryResponse>(file(writeMmdb(NETWORKS)));
    assert.equal(reader.metadata.databaseType, 'GeoLite2-Country');
    assert.equal(reader.metadata.ipVersion, 6);
    assert.equal(reader.metadata.recordSize, 24);
    assert.deepEqual(reader.get('192.0.2.77'), { country: { iso_code: 'FR' } });
    assert.deepEqual(reader.get('198.51.100.127'), { country: { iso_code: 'US' } });
    assert.equal(reader.get('198.51.100.128'), null, 'outside the /25');
    assert.deepEqual(reader.get('2001:db8:1::5'), { country: { iso_code: 'DE' } });
    assert.equal(reader.get('2001:db9::1'), null);
    assert.deepEqual(reader.getWithPrefixLength('192.0.2.1')[1], 24);
  });

  it('answers ISO codes, "" for unknown or unparsable addresses, IPv4-mapped peers as IPv4', () => {
    const geoip = openCountryDatabase(file(writeMmdb(NETWORKS)));
    assert.equal(geoip.country('192.0.2.1'), 'FR');
    assert.equal(geoip.country('::ffff:192.0.2.1'), 'FR');
    assert.equal(geoip.country('198.51.100.5'), 'US');
    assert.equal(geoip.country('2001:db8::1'), 'DE');
    assert.equal(geoip.country('127.0.0.1'), '');
    assert.equal(geoip.country('203.0.113.9'), '');
    assert.equal(geoip.country('not-an-ip'), '');
  });

  it('a City database is accepted; registered_country stands in when country is missing', () => {
    const geoip = openCountryDatabase(
      file(
        writeMmdb(
          [
            { cidr: '192.0.2.0/24', data: { city: { names: { en: 'Paris' } }, country: { iso_code: 'FR' } } },
            { cidr: '198.51.100.0/24', data: { registered_country: { iso_code: 'NL' } } },
          ],
          'GeoIP2-City',
        ),
      ),
    );
    assert.equal(geoip.country('192.0.2.9'), 'FR');
    assert.equal(geoip.country('198.51.100.9'), 'NL');
  });

  it('refuses a missing file, a file that is not a MaxMind database, and an ASN database, naming the setting', () => {
    const missing = refusal(() => openCountryDatabase(join(tmpdir(), 'keyway-no-such-dir', 'x.mmdb')));
    assert.match(missing, /geoip\.database/);
    assert.match(missing, /cannot read .*ENOENT/);
    const text = refusal(() => openCountryDatabase(file('not a database\n', 'country.txt')));
    assert.match(text, /geoip\.database: .* is not a MaxMind database/);
    const asn = refusal(() =>
      openCountryDatabase(
        file(
          writeMmdb([{ cidr: '192.0.2.0/24', data: { autonomous_system_number: 64496 } }], 'GeoLite2-ASN'),
        ),
      ),
    );
    assert.match(asn, /geoip\.database: .* is a GeoLite2-ASN database, not a Country or City one/);
  });

  it('the setting: geoip.database from KEYWAY_GEOIP_DATABASE, resolved to an absolute path; none by default', () => {
    assert.equal(loadSettings({ env: {} }).geoip.database, undefined);
    const s = loadSettings({ env: { KEYWAY_GEOIP_DATABASE: 'geo/country.mmdb' } });
    assert.equal(s.geoip.database, join(process.cwd(), 'geo/country.mmdb'));
  });
});
