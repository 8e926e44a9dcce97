/**
 * The node's GeoIP country database (`geoip.database`, docs/configuration.md): a MaxMind-format Country or
 * City `.mmdb` file, read once at start with the `maxmind` package (never a parser of our own) and kept in
 * memory. A path that cannot be read, or a file that is not such a database, fails the start naming the
 * setting. Replacing the file takes a restart (a reload of the config does not reread it).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { CountryResponse, Reader } from 'maxmind';
import { KeywayError } from '../core/errors.js';
import type { CountryLookup } from '../pipeline/services.js';

const FIELD = 'geoip.database';

/** Opens the database at `path`, or throws KW_ERR_NODE_CONFIG naming the setting and why. */
export function openCountryDatabase(path: string): CountryLookup {
  const refuse = (reason: string): never => {
    throw new KeywayError('KW_ERR_NODE_CONFIG', { field: FIELD, reason });
  };
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return refuse(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let reader: Reader<CountryResponse>;
  try {
    // Loaded only when a database is configured.
    const maxmind = createRequire(import.meta.url)('maxmind') as typeof import('maxmind');
    reader = new maxmind.Reader<CountryResponse>(bytes);
  } catch (err) {
    return refuse(`${path} is not a MaxMind database (${(err as Error).message.split('\n')[0] ?? ''})`);
  }
  const type = reader.metadata.databaseType;
  // An ASN or ISP database reads fine but holds no country: refuse it rather than answer '' for everyone.
  if (!/country|city/i.test(type)) return refuse(`${path} is a ${type} database, not a Country or City one`);
  return {
    country(ip: string): string {
      try {
        // An IPv4-mapped peer (`::ffff:192.0.2.1`) is looked up as the IPv4 address it is.
        const hit = reader.get(ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip);
        return hit?.country?.iso_code ?? hit?.registered_country?.iso_code ?? '';
      } catch {
        // Not an address the database can place (a malformed or non-IP peer): unknown.
        return '';
      }
    },
  };
}
