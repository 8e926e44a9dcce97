/**
 * Developer accounts: sign-up, sign-in (password, or OpenID Connect through oidc.ts), sessions, password
 * reset and email verification. Passwords are scrypt-hashed by the admin users' own code
 * (admin/passwords.ts); sessions and links are random 256-bit values of which only hashes are stored.
 *
 * Sign-in failures lock an account after `login.max_failures` in a row (for `login.lockout_ms`), and the
 * address throttle (src/admin/login-throttle.ts) caps failures per client address across accounts. An unknown email
 * costs the same scrypt check as a known one and gets the same answer.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { KeywayError } from '../core/errors.js';
import { hashPassword, verifyPassword } from '../admin/passwords.js';
import type { Developer, DeveloperLogin, PortalStore } from '../store/portal.js';
import { sha256 } from './csrf.js';
import type { LinkSigner } from './links.js';
import type { OidcClaims } from './oidc.js';
import type { AddressThrottle } from '../admin/login-throttle.js';
import type { PortalSettings } from './types.js';

export interface IssuedSession {
  /** The cookie's value (never stored: its SHA-256 is). */
  id: string;
  /** The session's CSRF token, for the readable cookie and the pages. */
  csrf: string;
  maxAgeS: number;
}

export interface SignUpInput {
  email: string;
  password: string;
  name?: string;
}

/** `dev-` and 10 hex digits: the consumer a developer's apps and keys hang off. */
function newConsumerName(): string {
  return `dev-${randomBytes(5).toString('hex')}`;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class PortalAccounts {
  constructor(
    private readonly store: PortalStore,
    private readonly settings: PortalSettings,
    private readonly links: LinkSigner,
    private readonly throttle: AddressThrottle,
    private readonly now: () => number,
    private readonly log: Logger | undefined,
  ) {}

  #iso(offsetMs = 0): string {
    return new Date(this.now() + offsetMs).toISOString();
  }

  async signUp(input: SignUpInput, origin: string): Promise<{ developer: Developer; verify: boolean }> {
    const email = normalizeEmail(input.email);
    const verify = this.settings.emailVerification === 'required';
    const developer = await this.store.createDeveloper(
      {
        id: randomBytes(12).toString('base64url'),
        email,
        name: input.name?.trim() || (email.split('@')[0] ?? email),
        consumer: newConsumerName(),
        password_hash: await hashPassword(input.password),
        email_verified_at: null,
        oidc_issuer: null,
        oidc_subject: null,
      },
      this.#iso(),
    );
    if (verify) await this.#sendLink(developer, 'verify', origin);
    return { developer, verify };
  }

  /** An account made by an OpenID Connect sign-in: no password, the provider's verified email. */
  async signUpWithOidc(claims: {
    email: string;
    name?: string;
    issuer: string;
    subject: string;
    emailVerified: boolean;
  }): Promise<Developer> {
    const email = normalizeEmail(claims.email);
    const at = this.#iso();
    return this.store.createDeveloper(
      {
        id: randomBytes(12).toString('base64url'),
        email,
        name: claims.name?.trim() || (email.split('@')[0] ?? email),
        consumer: newConsumerName(),
        password_hash: null,
        email_verified_at: claims.emailVerified ? at : null,
        oidc_issuer: claims.issuer,
        oidc_subject: claims.subject,
      },
      at,
    );
  }

  /**
   * The account an OpenID Connect sign-in lands on: the one bound to the provider's subject; else the
   * account with that email, bound now if the provider verified the email (else someone could claim an
   * account by an address they do not own); else a new account.
   */
  async oidcDeveloper(claims: OidcClaims): Promise<Developer> {
    const bound = await this.store.developerByOidc(claims.issuer, claims.subject);
    if (bound !== undefined) return bound;
    const existing = await this.store.loginOf(normalizeEmail(claims.email));
    if (existing === undefined) return this.signUpWithOidc(claims);
    if (!claims.emailVerified)
      throw new KeywayError('KW_ERR_PORTAL_OIDC', {
        reason:
          'an account with this email exists and the provider did not verify the email: sign in with its password',
      });
    return this.store.updateDeveloper(
      existing.developer.id,
      {
        oidc: { issuer: claims.issuer, subject: claims.subject },
        ...(existing.developer.email_verified ? {} : { email_verified_at: this.#iso() }),
      },
      `developer:${existing.developer.email}`,
      this.#iso(),
    );
  }

  async signIn(emailIn: string, password: string, ip: string): Promise<Developer> {
    const attempt = await this.throttle.begin(ip);
    const email = normalizeEmail(emailIn);
    const login = await this.store.loginOf(email);
    const now = this.now();
    if (login?.locked_until != null && Date.parse(login.locked_until) > now) {
      throw this.#locked(login.locked_until);
    }
    // Unknown account or none with a password: a decoy hash is checked, the same time and answer.
    const ok = await verifyPassword(password, login?.password_hash ?? null);
    if (!ok || login === undefined) {
      if (login !== undefined) await this.#failed(login);
      throw new KeywayError('KW_ERR_PORTAL_LOGIN_FAILED');
    }
    await attempt.succeeded();
    if (login.failed_logins > 0 || login.locked_until !== null)
      await this.store.setLoginState(login.developer.id, 0, null);
    this.#usable(login.developer);
    return login.developer;
  }

  async #failed(login: DeveloperLogin): Promise<void> {
    const failed = login.failed_logins + 1;
    const { maxFailures, lockoutMs } = this.settings.login;
    const lockedUntil = failed >= maxFailures ? this.#iso(lockoutMs) : null;
    await this.store.setLoginState(login.developer.id, lockedUntil === null ? failed : 0, lockedUntil);
    if (lockedUntil !== null) {
      this.log?.warn({ developer: login.developer.id }, 'portal: account locked after failed sign-ins');
      throw this.#locked(lockedUntil);
    }
  }

  #locked(until: string): KeywayError {
    const seconds = Math.max(1, Math.ceil((Date.parse(until) - this.now()) / 1000));
    return new KeywayError(
      'KW_ERR_PORTAL_LOCKED_OUT',
      { until },
      { headers: { 'retry-after': String(seconds) } },
    );
  }

  /** Refuses a disabled account, or one that must verify its email first. */
  #usable(developer: Developer): void {
    if (developer.disabled) throw new KeywayError('KW_ERR_PORTAL_LOGIN_FAILED');
    if (this.settings.emailVerification === 'required' && !developer.email_verified)
      throw new KeywayError('KW_ERR_PORTAL_EMAIL_UNVERIFIED');
  }

  /** A new session for `developer`; `replacing` (the caller's old session) ends: ids rotate at sign-in. */
  async startSession(developer: Developer, replacing?: string): Promise<IssuedSession> {
    this.#usable(developer);
    if (replacing !== undefined) await this.store.deleteSession(sha256(replacing));
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const ttl = this.settings.sessionTtlMs;
    await this.store.createSession({
      id_hash: sha256(id),
      developer_id: developer.id,
      csrf_hash: sha256(csrf),
      created_at: this.#iso(),
      expires_at: this.#iso(ttl),
    });
    return { id, csrf, maxAgeS: Math.floor(ttl / 1000) };
  }

  /** The developer behind a session cookie, or undefined (unknown, expired, signed out, disabled). */
  async session(id: string): Promise<{ developer: Developer; csrfHash: string } | undefined> {
    const found = await this.store.session(sha256(id), this.#iso());
    if (found === undefined || found.developer.disabled) return undefined;
    return { developer: found.developer, csrfHash: found.session.csrf_hash };
  }

  async endSession(id: string): Promise<void> {
    await this.store.deleteSession(sha256(id));
  }

  /**
   * Writes a reset link to the outbox when the email has an account; says nothing either way (the answer
   * is the same 202), so the form does not tell which emails have accounts.
   */
  async requestReset(emailIn: string, origin: string): Promise<void> {
    const login = await this.store.loginOf(normalizeEmail(emailIn));
    if (login === undefined || login.developer.disabled) return;
    await this.#sendLink(login.developer, 'reset', origin);
  }

  async confirmReset(token: string, password: string): Promise<Developer> {
    const link = await this.links.use(token, 'reset');
    const developer = await this.store.updateDeveloper(
      link.developer_id,
      // Following the link proves the mailbox: the email is verified by the same stroke.
      { password_hash: await hashPassword(password), email_verified_at: this.#iso() },
      'developer:password-reset',
      this.#iso(),
    );
    // Whoever knew the old password is signed out everywhere.
    await this.store.deleteSessions(developer.id);
    return developer;
  }

  async changePassword(developer: Developer, current: string, next: string): Promise<void> {
    const login = await this.store.loginOf(developer.email);
    if (login === undefined || !(await verifyPassword(current, login.password_hash)))
      throw new KeywayError('KW_ERR_PORTAL_LOGIN_FAILED');
    await this.store.updateDeveloper(
      developer.id,
      { password_hash: await hashPassword(next) },
      `developer:${developer.email}`,
      this.#iso(),
    );
    await this.store.deleteSessions(developer.id);
  }

  async verifyEmail(token: string): Promise<Developer> {
    const link = await this.links.use(token, 'verify');
    return this.store.updateDeveloper(
      link.developer_id,
      { email_verified_at: this.#iso() },
      'developer:email-verification',
      this.#iso(),
    );
  }

  async #sendLink(developer: Developer, purpose: 'reset' | 'verify', origin: string): Promise<void> {
    const token = await this.links.issue(developer.id, purpose);
    const base = this.settings.publicUrl ?? origin;
    const minutes = Math.round(this.settings.linkTtlMs / 60_000);
    const message =
      purpose === 'reset'
        ? {
            subject: 'Reset your password',
            body: `Someone asked to reset the password of your developer account.\nChoose a new one within ${minutes} minutes:\n\n${base}/reset-password?token=${token}\n\nIf it was not you, ignore this message: your password is unchanged.\n`,
          }
        : {
            subject: 'Verify your email',
            body: `Welcome! Confirm this address within ${minutes} minutes to start using your developer account:\n\n${base}/verify-email?token=${token}\n`,
          };
    const id = await this.store.addOutbox({
      at: this.#iso(),
      to_email: developer.email,
      purpose,
      ...message,
    });
    // The link reaches the developer through the outbox (GET /portal/outbox on the admin API, or a mail
    // relay reading it); the log says where it is, never what it holds.
    this.log?.info(
      { outbox_id: id, purpose, developer: developer.id },
      `portal: ${purpose === 'reset' ? 'password-reset' : 'verification'} link written to the outbox`,
    );
  }
}
