/**
 * Kong consumers and their credentials → Keyway consumers, each with one app holding its credentials.
 *
 * - `keyauth_credentials[].key` → `apps[].keys[].key`: imported by `keyway apply` (hashed on arrival,
 *   never exported), so the same key keeps authenticating (docs/keys.md, "Importing keys").
 * - `jwt_secrets[]` → the app's `client_ids` gets the credential's `key`, and the `jwt-auth` plugins made
 *   from Kong's jwt plugins get one issuer per credential (plugins-auth.ts).
 * - `acls[].group` → the consumer's `groups`, the roles the `acl` plugin checks.
 * Keys and secrets are copied into the Keyway file only: no report line or error ever quotes one.
 */
import type { AppOut, ConsumerOut, ImportContext } from './context.js';
import { fieldList, type Path } from './input.js';
import { keywayRole, keywayTags } from './names.js';
import { collectPlugins } from './plugin-scope.js';

const CONSUMER_FIELDS = fieldList(`
  id username custom_id tags created_at updated_at keyauth_credentials jwt_secrets acls
  basicauth_credentials hmacauth_credentials oauth2_credentials mtls_auth_credentials plugins
  groups
`);
const KEYAUTH_FIELDS = fieldList(`
  id key tags ttl created_at consumer
`);
const JWT_FIELDS = fieldList(`
  id key algorithm secret rsa_public_key tags created_at consumer
`);
const ACL_FIELDS = fieldList(`
  id group tags created_at consumer
`);

/** Keyway's imported keys: 8–512 printable ASCII characters (src/keys/key-schemas.ts). */
const IMPORTABLE_KEY = /^[\x21-\x7E]{8,512}$/;

const OTHER_CREDENTIALS: Record<string, string> = {
  basicauth_credentials:
    'Keyway has no basic-auth: issue API keys, or import these as keys if the password is the secret',
  hmacauth_credentials: 'Keyway has no HMAC request signing yet',
  oauth2_credentials:
    'Keyway is not an OAuth 2.0 authorization server: point jwt-auth or oauth2-introspection at your IdP',
  mtls_auth_credentials:
    'bind certificates to the app with certificates.sha256_fingerprints / subjects (docs/mtls.md)',
};

export function convertConsumers(cx: ImportContext, list: unknown): void {
  const { reader: r, report } = cx;
  r.list(['consumers'], list).forEach((raw, i) => {
    const path: Path = ['consumers', i];
    const c = r.object(path, raw, CONSUMER_FIELDS);
    if (c === undefined) return;
    const username = r.string([...path, 'username'], c['username']);
    const customId = r.string([...path, 'custom_id'], c['custom_id']);
    const id = r.string([...path, 'id'], c['id']);
    if (username === undefined && customId === undefined) return r.fail(path, 'needs username or custom_id');
    const out: ConsumerOut = {
      username: cx.consumerNames.claim(
        username ?? customId,
        `consumer-${i}`,
        [...path, username === undefined ? 'custom_id' : 'username'],
        'consumer',
      ),
    };
    if (customId !== undefined) out.custom_id = customId.slice(0, 256);
    const tags = keywayTags(r.strings([...path, 'tags'], c['tags']), path, 'consumer', report);
    if (tags !== undefined) out.tags = tags;
    const app: AppOut = {
      name: cx.appNames.claim(out.username, out.username, path, 'consumer'),
      description: 'Credentials imported from Kong',
    };

    r.list([...path, 'keyauth_credentials'], c['keyauth_credentials']).forEach((k, j) => {
      const kp: Path = [...path, 'keyauth_credentials', j];
      const cred = r.object(kp, k, KEYAUTH_FIELDS);
      if (cred === undefined) return;
      const key = r.required([...kp, 'key'], cred['key']);
      if (key === undefined) return;
      if (!IMPORTABLE_KEY.test(key))
        return report.dropped(
          kp,
          'key-auth credential',
          'Keyway imports keys of 8–512 printable ASCII characters (no spaces); issue this consumer a new key',
        );
      const ttl = r.number([...kp, 'ttl'], cred['ttl']);
      if (ttl !== undefined && ttl > 0)
        report.changed(
          [...kp, 'ttl'],
          'key-auth credential',
          'imported without expiry: the file does not say when Kong created the key (set expires_at on the key)',
        );
      (app.keys ??= []).push({ key });
    });

    r.list([...path, 'jwt_secrets'], c['jwt_secrets']).forEach((k, j) => {
      const jp: Path = [...path, 'jwt_secrets', j];
      const cred = r.object(jp, k, JWT_FIELDS);
      if (cred === undefined) return;
      const key = r.required([...jp, 'key'], cred['key']);
      if (key === undefined) return;
      const algorithm = r.string([...jp, 'algorithm'], cred['algorithm']) ?? 'HS256';
      const secret = r.string([...jp, 'secret'], cred['secret']);
      const rsaPublicKey = r.string([...jp, 'rsa_public_key'], cred['rsa_public_key']);
      (app.client_ids ??= []).push(key);
      cx.jwtCredentials.push({
        path: jp,
        key,
        algorithm,
        app: app.name,
        ...(secret === undefined ? {} : { secret }),
        ...(rsaPublicKey === undefined ? {} : { rsaPublicKey }),
      });
    });

    const groups = new Set<string>();
    r.list([...path, 'acls'], c['acls']).forEach((a, j) => {
      const ap: Path = [...path, 'acls', j];
      const acl = r.object(ap, a, ACL_FIELDS);
      if (acl === undefined) return;
      const group = r.required([...ap, 'group'], acl['group']);
      if (group === undefined) return;
      const role = keywayRole(group);
      if (role !== group)
        report.changed(
          [...ap, 'group'],
          'acl group',
          `renamed to "${role}": Keyway roles allow A-Z a-z 0-9 . _ : / = @ -`,
        );
      groups.add(role);
    });
    if (groups.size > 0) out.groups = [...groups];

    for (const [field, reason] of Object.entries(OTHER_CREDENTIALS))
      r.list([...path, field], c[field]).forEach((_, j) =>
        report.dropped([...path, field, j], field.replace(/s$/, ''), reason),
      );
    if (r.list([...path, 'groups'], c['groups']).length > 0)
      report.dropped(
        [...path, 'groups'],
        'consumer groups',
        'Keyway has no consumer groups: use plans for shared limits, or acl groups for roles',
      );

    if (app.keys !== undefined || app.client_ids !== undefined) out.apps = [app];
    cx.consumers.push(out);
    for (const ref of [username, customId, id]) if (ref !== undefined) cx.consumerRef.set(ref, out);
    collectPlugins(cx, [...path, 'plugins'], c['plugins'], { consumer: out.username });
  });
}
