/**
 * A small real PKI for tests, made with the openssl CLI the way a bank's CA team would: `openssl req`
 * for roots and keys, `openssl ca` for signing (it sets arbitrary validity windows) and for revocation
 * and CRLs. Keys are P-256 (fast to make). Nothing here is Keyway code: the certificates are judged by
 * it, not produced by it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Issued {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
  /** Lowercase hex SHA-256 of the DER, as `openssl x509 -fingerprint -sha256` prints it (colons removed). */
  fingerprint: string;
}

function openssl(args: string[], cwd?: string): string {
  return execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString('utf8');
}

/** openssl `ca` dates: YYMMDDHHMMSSZ (UTCTime, years 1950–2049). */
function caDate(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
}

function fingerprintOf(certPath: string): string {
  const out = openssl(['x509', '-in', certPath, '-noout', '-fingerprint', '-sha256']);
  return (out.split('=')[1] ?? '').trim().replace(/:/g, '').toLowerCase();
}

function newKeyAndCsr(dir: string, name: string, subj: string): { keyPath: string; csrPath: string } {
  const keyPath = join(dir, `${name}.key`);
  const csrPath = join(dir, `${name}.csr`);
  openssl(
    ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'].concat([
      '-keyout',
      keyPath,
      '-out',
      csrPath,
      '-subj',
      subj,
    ]),
  );
  return { keyPath, csrPath };
}

export function tempDir(prefix = 'keyway-mtls-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface LeafOptions {
  sans?: string[];
  /** `extendedKeyUsage` value; default `clientAuth`; `''` leaves the extension out. */
  eku?: string;
  keyUsage?: string;
  notBefore?: Date;
  notAfter?: Date;
}

export class TestCa {
  readonly cert: string;
  readonly certPath: string;
  private constructor(
    readonly dir: string,
    readonly subject: string,
  ) {
    this.certPath = join(dir, 'ca.crt');
    this.cert = readFileSync(this.certPath, 'utf8');
  }

  /** A self-signed root CA. */
  static root(parent: string, name: string, subj: string): TestCa {
    const dir = TestCa.prepare(parent, name);
    openssl(
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
        .concat(['-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'), '-days', '30', '-subj', subj])
        .concat([
          '-addext',
          'basicConstraints=critical,CA:TRUE',
          '-addext',
          'keyUsage=critical,keyCertSign,cRLSign',
        ]),
    );
    return new TestCa(dir, subj);
  }

  /** An intermediate CA signed by this one. */
  intermediate(name: string, subj: string, pathlen = 0): TestCa {
    const dir = TestCa.prepare(this.dir, name);
    const { keyPath, csrPath } = newKeyAndCsr(dir, 'ca', subj);
    this.sign(csrPath, join(dir, 'ca.crt'), subj, [
      'basicConstraints=critical,CA:TRUE,pathlen:' + String(pathlen),
      'keyUsage=critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
    ]);
    writeFileSync(join(dir, 'ca.key'), readFileSync(keyPath));
    return new TestCa(dir, subj);
  }

  /** A client certificate signed by this CA. */
  issue(name: string, subj: string, opts: LeafOptions = {}): Issued {
    const { keyPath, csrPath } = newKeyAndCsr(this.dir, name, subj);
    const certPath = join(this.dir, `${name}.crt`);
    const ext = [
      'basicConstraints=CA:FALSE',
      `keyUsage=critical,${opts.keyUsage ?? 'digitalSignature'}`,
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
    ];
    const eku = opts.eku ?? 'clientAuth';
    if (eku !== '') ext.push(`extendedKeyUsage=${eku}`);
    if (opts.sans !== undefined) ext.push(`subjectAltName=${opts.sans.join(',')}`);
    this.sign(csrPath, certPath, subj, ext, opts.notBefore, opts.notAfter);
    return {
      cert: readFileSync(certPath, 'utf8'),
      key: readFileSync(keyPath, 'utf8'),
      certPath,
      keyPath,
      fingerprint: fingerprintOf(certPath),
    };
  }

  revoke(issued: Issued): void {
    openssl(['ca', '-config', join(this.dir, 'ca.cnf'), '-revoke', issued.certPath, '-batch']);
  }

  /** The CRL of this CA as PEM; by default valid from now for a day. */
  crl(window: { lastUpdate?: Date; nextUpdate?: Date } = {}): string {
    const out = join(this.dir, `crl-${Date.now()}-${Math.random().toString(36).slice(2)}.pem`);
    const args = ['ca', '-config', join(this.dir, 'ca.cnf'), '-gencrl', '-out', out, '-batch'];
    if (window.lastUpdate !== undefined) args.push('-crl_lastupdate', caDate(window.lastUpdate));
    if (window.nextUpdate !== undefined) args.push('-crl_nextupdate', caDate(window.nextUpdate));
    openssl(args);
    return readFileSync(out, 'utf8');
  }

  private sign(csr: string, out: string, subj: string, ext: string[], from?: Date, until?: Date): void {
    const extPath = `${out}.ext`;
    writeFileSync(extPath, `[ext]\n${ext.join('\n')}\n`);
    const args = ['ca', '-config', join(this.dir, 'ca.cnf'), '-in', csr, '-out', out, '-subj', subj].concat([
      '-extfile',
      extPath,
      '-extensions',
      'ext',
      '-batch',
      '-notext',
    ]);
    args.push('-startdate', caDate(from ?? new Date(Date.now() - 3_600_000)));
    args.push('-enddate', caDate(until ?? new Date(Date.now() + 7 * 86_400_000)));
    openssl(args);
  }

  private static prepare(parent: string, name: string): string {
    const dir = join(parent, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), openssl(['rand', '-hex', '8']));
    writeFileSync(join(dir, 'crlnumber'), '1000\n');
    writeFileSync(
      join(dir, 'ca.cnf'),
      [
        '[ca]',
        'default_ca = this',
        '[this]',
        `dir = ${dir}`,
        'database = $dir/index.txt',
        'new_certs_dir = $dir',
        'serial = $dir/serial',
        'crlnumber = $dir/crlnumber',
        'certificate = $dir/ca.crt',
        'private_key = $dir/ca.key',
        'default_md = sha256',
        'policy = any',
        'unique_subject = no',
        'preserve = yes',
        'default_crl_days = 1',
        'crl_extensions = crl_ext',
        '[any]',
        'countryName = optional',
        'organizationName = optional',
        'organizationalUnitName = optional',
        'commonName = supplied',
        'emailAddress = optional',
        '[crl_ext]',
        'authorityKeyIdentifier = keyid:always',
        '',
      ].join('\n'),
    );
    return dir;
  }
}

/** A self-signed certificate (not a CA) with any subject: an impostor copying a good one. */
export function selfSigned(dir: string, name: string, subj: string, sans?: string[]): Issued {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.crt`);
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
    .concat(['-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', subj])
    .concat(['-addext', 'extendedKeyUsage=clientAuth', '-addext', 'basicConstraints=CA:FALSE']);
  if (sans !== undefined) args.push('-addext', `subjectAltName=${sans.join(',')}`);
  openssl(args);
  return {
    cert: readFileSync(certPath, 'utf8'),
    key: readFileSync(keyPath, 'utf8'),
    certPath,
    keyPath,
    fingerprint: fingerprintOf(certPath),
  };
}

/** The listener's own certificate, for `localhost` / 127.0.0.1. */
export function serverCertificate(dir: string): { cert: string; key: string } {
  const key = join(dir, 'server.key');
  const cert = join(dir, 'server.crt');
  openssl(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
      .concat(['-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost'])
      .concat(['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']),
  );
  return { cert, key };
}
