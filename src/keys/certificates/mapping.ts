/**
 * Which app a verified client certificate belongs to: by SHA-256 fingerprint, subject DN or SAN, in
 * the order a plugin config gives. Runs only after the chain verified — a self-signed certificate
 * that copies a good subject never gets this far.
 *
 * App configs are free text (`CN=acme, O=Acme`, `dns:Dash.Acme.example`); the maps here are keyed by
 * the same canonical forms the certificate side produces, built once per snapshot.
 */
import type { AppEntry, Identities } from '../../pipeline/identity.js';
import type { ParsedCertificate } from './certificate.js';
import { nameKey, parseDnText } from './names.js';

export type MapBy = 'fingerprint' | 'subject' | 'san';

export interface CertificateMatch {
  app: AppEntry;
  by: MapBy;
}

const SAN_TYPES: Record<string, string> = {
  dns: 'dns',
  uri: 'uri',
  email: 'email',
  rfc822: 'email',
  rfc822name: 'email',
  ip: 'ip',
  'ip address': 'ip',
};

/** `DNS:x` / `dns: X` → `dns:x`. DNS names and email addresses compare case-insensitively; URIs exactly. */
export function sanKey(text: string): string | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const type = SAN_TYPES[text.slice(0, colon).trim().toLowerCase()];
  if (type === undefined) return undefined;
  const value = text.slice(colon + 1).trim();
  return `${type}:${type === 'uri' ? value : value.toLowerCase()}`;
}

export class CertificateMapper {
  private readonly bySubject = new Map<string, AppEntry>();
  private readonly bySan = new Map<string, AppEntry>();

  constructor(
    private readonly identities: Identities,
    private readonly order: readonly MapBy[],
  ) {
    for (const [dn, app] of identities.appBySubject) {
      const rdns = parseDnText(dn);
      if (rdns !== undefined) this.bySubject.set(nameKey(rdns), app);
    }
    for (const [san, app] of identities.appBySan) {
      const key = sanKey(san);
      if (key !== undefined) this.bySan.set(key, app);
    }
  }

  resolve(cert: ParsedCertificate): CertificateMatch | undefined {
    for (const by of this.order) {
      const app = this.lookup(cert, by);
      if (app !== undefined) return { app, by };
    }
    return undefined;
  }

  private lookup(cert: ParsedCertificate, by: MapBy): AppEntry | undefined {
    switch (by) {
      case 'fingerprint':
        return this.identities.appByFingerprint.get(cert.fingerprint);
      case 'subject':
        return this.bySubject.get(cert.subjectKey);
      case 'san':
        for (const san of cert.sans) {
          const key = sanKey(san);
          const app = key === undefined ? undefined : this.bySan.get(key);
          if (app !== undefined) return app;
        }
        return undefined;
    }
  }
}
