/**
 * Secret fields of a configuration, declared once in its JSON schema with `x-keyway-secret` and found
 * in a document by walking the document along the schema. A plugin marks its secret-bearing fields; the
 * control layer seals them, redacts them in every answer and audit row, and exports them sealed; the data
 * plane opens them when it compiles its snapshot (docs/plugins.md#secrets).
 *
 * `"x-keyway-secret": true` marks a string that is always secret (a client secret, an HMAC key);
 * `"private-key"` a string that is secret only when it holds a PEM private key (a field that also takes
 * public keys, which stay readable). Marks are found through `properties`, `additionalProperties` and
 * `items` — not inside `oneOf`/`anyOf`/`allOf`, whose branches a walker cannot choose between; the plugin
 * registry's test checks that every mark of every plugin is reachable.
 *
 * Where a secret goes, a document may instead carry a reference object:
 *   {"secret_env": "NAME"}          read from this environment variable by every node
 *   {"secret_enc": "kwenc1.…"}      sealed by a node sharing this server secret (what export writes)
 *   {"sealed": true, "id": "…"}     keep the stored secret (what answers show; `id` names which one)
 */
import { createHash } from 'node:crypto';

export const SECRET_KEYWORD = 'x-keyway-secret';

export type SecretMark = true | 'private-key';

type Schema = Record<string, unknown>;

export interface SecretPlace {
  /** JSON pointer of the value in the walked document. */
  pointer: string;
  /** Its place in the schema (`issuers/*\/keys/*\/secret`): what a ciphertext is bound to. */
  label: string;
  /** The object or array that holds the value, and the value's key in it. */
  holder: Record<string, unknown> | unknown[];
  key: string | number;
  /** The value found, undefined when the field is absent. */
  value: unknown;
  mark: SecretMark;
  /**
   * Required, and not inside a list or map: a document leaving it out can only mean "keep the stored
   * one". Inside a list, position says nothing about identity, so a kept secret must be named by its id.
   */
  keptWhenAbsent: boolean;
}

/** What a value at a secret place says. */
export type SecretValue =
  | { kind: 'clear'; text: string }
  | { kind: 'enc'; enc: string }
  | { kind: 'env'; name: string }
  | { kind: 'keep'; id: string | undefined }
  | { kind: 'invalid'; message: string };

/** The reference objects a secret place takes besides a string (shape only; `secretValue` checks the rest). */
export const SECRET_REF_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    secret_env: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    secret_enc: { type: 'string', minLength: 1, maxLength: 65536, pattern: '^kwenc1\\.' },
    sealed: { const: true },
    id: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

const REF_FORMS = 'give the secret as a string, or one of {"secret_env"}, {"secret_enc"}, {"sealed": true}';

export function markOf(schema: unknown): SecretMark | undefined {
  if (!isRecord(schema)) return undefined;
  const mark = schema[SECRET_KEYWORD];
  return mark === true || mark === 'private-key' ? mark : undefined;
}

/** Every secret place of `data` under `schema`, in document order. */
export function secretPlaces(schema: unknown, data: unknown): SecretPlace[] {
  const out: SecretPlace[] = [];
  visit(schema, data, '', [], false, out);
  return out;
}

function visit(
  schema: unknown,
  data: unknown,
  pointer: string,
  label: string[],
  inList: boolean,
  out: SecretPlace[],
): void {
  if (!isRecord(schema)) return;
  if (isRecord(data)) {
    const props = isRecord(schema['properties']) ? schema['properties'] : {};
    const required = Array.isArray(schema['required']) ? (schema['required'] as unknown[]) : [];
    for (const [name, sub] of Object.entries(props)) {
      const place = {
        holder: data,
        key: name,
        pointer: `${pointer}/${escape(name)}`,
        label: [...label, name],
      };
      const kept = !inList && required.includes(name);
      step(sub, data[name], place, inList, kept, out);
    }
    const extra = schema['additionalProperties'];
    if (isRecord(extra)) {
      for (const [name, value] of Object.entries(data)) {
        if (name in props) continue;
        const place = {
          holder: data,
          key: name,
          pointer: `${pointer}/${escape(name)}`,
          label: [...label, '*'],
        };
        step(extra, value, place, true, false, out);
      }
    }
  } else if (Array.isArray(data) && isRecord(schema['items'])) {
    const items = schema['items'];
    data.forEach((value, i) => {
      step(
        items,
        value,
        { holder: data, key: i, pointer: `${pointer}/${i}`, label: [...label, '*'] },
        true,
        false,
        out,
      );
    });
  }
}

function step(
  sub: unknown,
  value: unknown,
  place: {
    holder: Record<string, unknown> | unknown[];
    key: string | number;
    pointer: string;
    label: string[];
  },
  inList: boolean,
  keptWhenAbsent: boolean,
  out: SecretPlace[],
): void {
  const mark = markOf(sub);
  if (mark === undefined) {
    if (value !== undefined) visit(sub, value, place.pointer, place.label, inList, out);
    return;
  }
  if (value === undefined && !keptWhenAbsent) return;
  out.push({ ...place, label: place.label.join('/'), value, mark, keptWhenAbsent });
}

/**
 * The labels of every secret place a schema declares where the walker looks (`properties`,
 * `additionalProperties`, `items`), whatever a document holds.
 */
export function secretLabels(schema: unknown, label: string[] = []): string[] {
  if (!isRecord(schema)) return [];
  if (markOf(schema) !== undefined) return [label.join('/')];
  const out: string[] = [];
  if (isRecord(schema['properties']))
    for (const [name, sub] of Object.entries(schema['properties']))
      out.push(...secretLabels(sub, [...label, name]));
  if (isRecord(schema['additionalProperties']))
    out.push(...secretLabels(schema['additionalProperties'], [...label, '*']));
  if (isRecord(schema['items'])) out.push(...secretLabels(schema['items'], [...label, '*']));
  return out;
}

/**
 * The schema a document is checked against on input: each secret place also takes a reference object,
 * and a required secret outside lists may be left out (kept). The stored form is checked, once its
 * secrets are opened, against the plugin's own schema.
 */
export function acceptingSecretRefs(schema: unknown, inList = false): unknown {
  if (!isRecord(schema)) return schema;
  const copy: Schema = { ...schema };
  const props = schema['properties'];
  if (isRecord(props)) {
    copy['properties'] = Object.fromEntries(
      Object.entries(props).map(([name, sub]) => [name, secretOr(sub, inList)]),
    );
    const required = schema['required'];
    if (Array.isArray(required) && !inList)
      copy['required'] = required.filter((n) => markOf(props[n as string]) === undefined);
  }
  if (isRecord(schema['additionalProperties']))
    copy['additionalProperties'] = secretOr(schema['additionalProperties'], true);
  if (isRecord(schema['items'])) copy['items'] = secretOr(schema['items'], true);
  return copy;
}

function secretOr(sub: unknown, inList: boolean): unknown {
  if (markOf(sub) === undefined) return acceptingSecretRefs(sub, inList);
  // `if`/`then`/`else` rather than `oneOf`: errors then come from the one branch that applies.
  return { if: { type: 'object' }, then: SECRET_REF_SCHEMA, else: sub };
}

/** What the value at a secret place is; an object is checked for the combinations a schema cannot say. */
export function secretValue(value: unknown): SecretValue {
  if (typeof value === 'string') return { kind: 'clear', text: value };
  if (!isRecord(value)) return { kind: 'invalid', message: REF_FORMS };
  const given = ['secret_env', 'secret_enc', 'sealed'].filter((k) => value[k] !== undefined);
  if (given.length !== 1)
    return {
      kind: 'invalid',
      message: `${REF_FORMS}, exactly one${given.length > 1 ? `, not ${given.join(' and ')}` : ''}`,
    };
  if (value['id'] !== undefined && given[0] !== 'sealed')
    return { kind: 'invalid', message: '"id" goes only with "sealed": true' };
  if (typeof value['secret_env'] === 'string') return { kind: 'env', name: value['secret_env'] };
  if (typeof value['secret_enc'] === 'string') return { kind: 'enc', enc: value['secret_enc'] };
  if (value['sealed'] === true)
    return { kind: 'keep', id: typeof value['id'] === 'string' ? value['id'] : undefined };
  return { kind: 'invalid', message: REF_FORMS };
}

/**
 * A short name for one sealed value, shown in its place (`{"sealed": true, "id": "…"}`): taken from the
 * ciphertext, whose IV is random, so it says nothing about the secret, yet changes whenever the secret
 * does (a rotation shows in the audit log) and lets an update name exactly which stored secret it keeps.
 */
export function sealedId(enc: string): string {
  return createHash('sha256').update(enc, 'utf8').digest('base64url').slice(0, 12);
}

/** Whether a string holds a PEM private key (PKCS#8, PKCS#1, SEC1, encrypted or not). */
export function holdsPrivateKey(text: string): boolean {
  return /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text);
}

/** Whether the clear value at a place is a secret (always, or for `private-key` only when it is one). */
export function isSecretText(mark: SecretMark, text: string): boolean {
  return mark === true || holdsPrivateKey(text);
}

/**
 * The document as answers and audit rows show it: a deep copy where each secret is replaced by
 * `{"sealed": true, "id"}` (or `{"sealed": true}` for one stored in clear by an older release), and
 * `{"secret_env"}` references are kept. Nothing secret, sealed or not, is left.
 */
export function redactSecrets<T>(schema: unknown, data: T): T {
  const copy = structuredClone(data);
  for (const place of secretPlaces(schema, copy)) {
    if (place.value === undefined) continue;
    const v = secretValue(place.value);
    let shown: unknown;
    if (v.kind === 'env') shown = { secret_env: v.name };
    else if (v.kind === 'enc') shown = { sealed: true, id: sealedId(v.enc) };
    else if (v.kind === 'clear' && !isSecretText(place.mark, v.text)) shown = v.text;
    else shown = { sealed: true };
    setAt(place, shown);
  }
  return copy;
}

export function setAt(place: SecretPlace, value: unknown): void {
  if (Array.isArray(place.holder)) place.holder[place.key as number] = value;
  else place.holder[place.key as string] = value;
}

function escape(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
