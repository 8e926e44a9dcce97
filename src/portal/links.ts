/**
 * Password-reset and email-verification links: signed, expiring, single-use.
 *
 * The token in a link is `<id>.<expiry>.<signature>`: the signature is HMAC-SHA-256 over the purpose, id
 * and expiry under a key derived from the node's secret (HKDF), so a forged or altered token is refused
 * before the store is asked, and every node of a cluster checks what any node signed. The id's row makes
 * the link single-use (`used_at`, set by one conditional UPDATE) and lets a reset be told apart from a
 * verification. The token is never logged and never stored: only the outbox message holds it, for the
 * developer (docs/portal.md#password-reset).
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { KeywayError } from '../core/errors.js';
import { sameSecret } from '../core/constant-time.js';
import type { PortalLink, PortalStore } from '../store/portal.js';

export type LinkPurpose = 'reset' | 'verify';

export class LinkSigner {
  readonly #key: Buffer;

  constructor(
    serverSecret: Uint8Array,
    private readonly store: PortalStore,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {
    this.#key = Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), 'keyway portal links', 32));
  }

  #sign(purpose: LinkPurpose, id: string, expires: number): string {
    return createHmac('sha256', this.#key).update(`${purpose}:${id}:${expires}`).digest('base64url');
  }

  /** A new link's token for `developerId`. */
  async issue(developerId: string, purpose: LinkPurpose): Promise<string> {
    const now = this.now();
    const expires = now + this.ttlMs;
    const id = randomBytes(16).toString('base64url');
    await this.store.createLink({
      id,
      developer_id: developerId,
      purpose,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(expires).toISOString(),
      used_at: null,
    });
    return `${id}.${expires}.${this.#sign(purpose, id, expires)}`;
  }

  /** Uses the link (once): its row, or KW_ERR_PORTAL_LINK_INVALID for anything forged, expired or used. */
  async use(token: string, purpose: LinkPurpose): Promise<PortalLink> {
    const invalid = () => new KeywayError('KW_ERR_PORTAL_LINK_INVALID');
    const m = /^([A-Za-z0-9_-]{22})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (m === null) throw invalid();
    const [, id = '', exp = '', sig = ''] = m;
    const expires = Number(exp);
    if (!sameSecret(sig, this.#sign(purpose, id, expires))) throw invalid();
    const now = this.now();
    if (expires <= now) throw invalid();
    const link = await this.store.useLink(id, purpose, new Date(now).toISOString());
    if (link === undefined) throw invalid();
    return link;
  }
}
