// The certificate engine on its own (src/keys/certificates): parsing checked against what openssl
// prints, path validation options, and config errors — without a listener.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { parseCertificate, parseCertificateBundle } from '../../src/keys/certificates/certificate.js';
import { ChainVerifier, type ChainOptions } from '../../src/keys/certificates/chain.js';
import { parseCrl, parseCrlText } from '../../src/keys/certificates/crl.js';
import { nameKey, parseDnText } from '../../src/keys/certificates/names.js';
import { pemBlocks } from '../../src/keys/certificates/der.js';
import { TestCa, tempDir } from './pki.js';

const dir = tempDir();
const root = TestCa.root(dir, 'root', '/C=DE/O=Bank, Inc./CN=Root');
const issuing = root.intermediate('issuing', '/C=DE/O=Bank, Inc./CN=Issuing', 1);
const sub = issuing.intermediate('sub', '/C=DE/O=Bank, Inc./CN=Sub');
const leaf = issuing.issue('leaf', '/O=Acme/OU=Payments/CN=acme+UID=42', {
  sans: ['DNS:Dash.Acme.example', 'URI:spiffe://acme/dash', 'email:ops@acme.example', 'IP:10.1.2.3'],
});
const deep = sub.issue('deep', '/O=Acme/CN=deep');

const cert = (pem: string) => parseCertificate(pemBlocks(pem, 'CERTIFICATE')[0]);
const bundle = (...pems: string[]) => pems.flatMap((p) => parseCertificateBundle(p, 'ca_certificates'));
const options = (o: Partial<ChainOptions> = {}): ChainOptions => ({
  allowPartialChain: false,
  maxChainDepth: 4,
  allowExpiredCrl: false,
  requireCrl: false,
  ...o,
});
const openssl = (...args: string[]) => execFileSync('openssl', args).toString('utf8').trim();

describe('certificate parsing', () => {
  it('reads subject, issuer, serial, SANs and fingerprint as openssl prints them', () => {
    const c = cert(leaf.cert);
    const subject = openssl('x509', '-in', leaf.certPath, '-noout', '-subject', '-nameopt', 'RFC2253');
    assert.equal(`subject=${c.subject}`, subject);
    const issuer = openssl('x509', '-in', leaf.certPath, '-noout', '-issuer', '-nameopt', 'RFC2253');
    assert.equal(`issuer=${c.issuer}`, issuer);
    assert.equal(
      c.serial,
      openssl('x509', '-in', leaf.certPath, '-noout', '-serial').split('=')[1]?.toLowerCase(),
    );
    assert.equal(c.fingerprint, leaf.fingerprint);
    assert.deepEqual(c.sans, [
      'DNS:Dash.Acme.example',
      'URI:spiffe://acme/dash',
      'email:ops@acme.example',
      'IP:10.1.2.3',
    ]);
    assert.deepEqual(c.extKeyUsage, ['1.3.6.1.5.5.7.3.2']);
    assert.equal(c.basicConstraints?.ca, false);
    const ca = cert(issuing.cert);
    assert.deepEqual(ca.basicConstraints, { ca: true, pathLen: 1 });
  });

  it('compares names the way RFC 5280 §7.1 asks: case and spacing do not matter, order does', () => {
    const key = (s: string) => nameKey(parseDnText(s) ?? []);
    assert.equal(key('CN=acme-reports, O=Acme'), key('/O=Acme/CN=acme-reports'));
    assert.equal(key('cn=ACME-reports,o=acme'), key('commonName=acme-reports , organizationName=Acme'));
    assert.notEqual(key('CN=a,O=b'), key('CN=b,O=a'));
    assert.equal(key('CN=x\\,y,O=z'), key('/O=z/CN=x,y'));
    assert.equal(key('CN=J\\C3\\BCrgen,O=z'), key('CN=Jürgen,O=z'), 'hex escapes are UTF-8 octets');
    assert.equal(parseDnText('not a dn'), undefined);
  });

  it('reads CRLs as PEM or base64 DER', () => {
    issuing.revoke(issuing.issue('gone', '/CN=gone'));
    const pem = issuing.crl();
    const der = pemBlocks(pem, 'X509 CRL')[0];
    const fromB64 = parseCrlText(der.toString('base64'));
    assert.equal(fromB64.length, 1);
    const crl = parseCrl(fromB64[0]);
    assert.equal(crl.revoked.size, 1);
    assert.ok(crl.nextUpdate !== undefined && crl.nextUpdate.getTime() > Date.now());
  });
});

describe('chain verification', () => {
  const l = cert(leaf.cert);
  const i = cert(issuing.cert);

  it('needs a self-signed root unless allow_partial_chain', () => {
    const onlyIssuing = new ChainVerifier(bundle(issuing.cert), [], options());
    assert.deepEqual(onlyIssuing.verify(l, []), {
      ok: false,
      reason: 'no-path',
      detail: 'no path to a configured CA',
    });
    const partial = new ChainVerifier(bundle(issuing.cert), [], options({ allowPartialChain: true }));
    assert.equal(partial.verify(l, []).ok, true);
  });

  it('builds the path from the intermediates the client sent, within max_chain_depth', () => {
    const v = new ChainVerifier(bundle(root.cert), [], options());
    assert.equal(v.verify(l, []).ok, false, 'the intermediate is needed');
    const withChain = v.verify(l, [i]);
    assert.equal(withChain.ok, true);
    if (withChain.ok)
      assert.deepEqual(
        withChain.chain.map((c) => c.subject),
        [l.subject, i.subject, cert(root.cert).subject],
      );
    const shallow = new ChainVerifier(bundle(root.cert), [], options({ maxChainDepth: 1 }));
    assert.equal(shallow.verify(l, [i]).ok, false);
    const d = new ChainVerifier(bundle(root.cert, issuing.cert), [], options());
    assert.equal(d.verify(cert(deep.cert), [cert(sub.cert)]).ok, true, 'pathlen 1 allows one CA below');
  });

  it('enforces pathLenConstraint (RFC 5280 §6.1.4 (l))', () => {
    const strict = TestCa.root(dir, 'strict', '/CN=Strict Root');
    const mid = strict.intermediate('mid', '/CN=Strict Mid', 0);
    const low = mid.intermediate('low', '/CN=Strict Low');
    const v = new ChainVerifier(bundle(strict.cert), [], options());
    const verdict = v.verify(cert(low.issue('x', '/CN=x').cert), [cert(low.cert), cert(mid.cert)]);
    assert.equal(verdict.ok ? 'ok' : verdict.reason, 'path-length');
  });

  it('require_crl refuses issuers without a CRL; validity ends at the CRL nextUpdate', () => {
    const v = new ChainVerifier(bundle(root.cert, issuing.cert), [], options({ requireCrl: true }));
    const r = v.verify(l, []);
    assert.equal(r.ok ? 'ok' : r.reason, 'crl-missing');
    const crls = [root.crl(), issuing.crl()].map((p) => parseCrl(parseCrlText(p)[0]));
    const withCrls = new ChainVerifier(bundle(root.cert, issuing.cert), crls, options({ requireCrl: true }));
    const ok = withCrls.verify(l, []);
    assert.ok(ok.ok);
    if (ok.ok) assert.equal(ok.validUntil, Math.min(...crls.map((c) => c.nextUpdate?.getTime() ?? Infinity)));
  });

  it('refuses bad trust configuration at create time, naming the field', () => {
    assert.throws(() => bundle('no pem here'), /ca_certificates holds no PEM certificate/);
    assert.throws(() => new ChainVerifier([l], [], options()), /ca_certificates #1 .* is not a CA/);
    const foreign = TestCa.root(dir, 'foreign', '/CN=Foreign').crl();
    const crl = parseCrl(parseCrlText(foreign)[0]);
    assert.throws(() => new ChainVerifier(bundle(root.cert), [crl], options()), /crls #1 .* not signed/);
  });
});
