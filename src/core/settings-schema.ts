/**
 * Node settings, declared once. Each area declares its settings as a tree of groups and leaves
 * (server/settings.ts, observe/observe-settings.ts); from that one tree come the TypeScript type
 * (`SettingsOf`), the YAML file's keys and JSON schema (`fileSchema`), and the `KEYWAY_*` environment
 * overlay (`resolveSettings`). Sources, later wins: default < config file < environment; an empty
 * variable counts as unset. A bad value is a KW_ERR_NODE_CONFIG naming the key and where the value came
 * from (`keyway.yaml:12: proxy.listen`, `proxy.listen (KEYWAY_PROXY_LISTEN)`), never the value of a
 * secret.
 */
import { KeywayError, type ErrorCode } from './errors.js';

/** A value refused by a leaf's parser: the loader adds which key and which source. */
export class SettingRefused extends Error {}

type Code = Extract<ErrorCode, 'KW_ERR_NODE_CONFIG' | 'KW_ERR_TLS_CONFIG'>;

export interface Leaf<T> {
  readonly kind: 'leaf';
  /** The environment variable; absent: the file only. */
  readonly env?: string;
  /** The file key: the property's name by default; `null`: the environment only. */
  readonly key?: string | null;
  /** JSON schema of the file value. */
  readonly schema: object;
  readonly fallback: T;
  /** Set by Keyway itself (a worker's slot), not by operators: left out of the docs check. */
  readonly internal?: boolean;
  /** The error code of a refusal (TLS settings have their own). */
  readonly code?: Code;
  /** Environment text → value; throws SettingRefused with the reason. */
  readonly fromText: (text: string) => T;
  /** A file value (valid against `schema`) → value; throws SettingRefused with the reason. */
  readonly fromFile: (value: unknown) => T;
}

export interface Group<P extends Shape = Shape, Opt extends boolean = boolean> {
  readonly kind: 'group';
  readonly props: P;
  /** The file key: the property's name by default; `null`: the leaves sit in the parent's file object. */
  readonly key?: string | null;
  /** File keys the file must give together when it has the group at all. */
  readonly required?: readonly string[];
  /** An optional group is `undefined` unless `present` says otherwise of the values it would have. */
  readonly optional: Opt;
  readonly present?: (value: Record<string, unknown>, given: (path: string) => boolean) => boolean;
  /** Checks across leaves; `name(path)` names a leaf of this group and the source of its value. */
  readonly check?: (
    value: Record<string, unknown>,
    name: (path: string) => string,
    given: (path: string) => boolean,
  ) => void;
}

export type Node = Leaf<unknown> | Group;
export type Shape = { readonly [k: string]: Node };

export type ValueOf<N> =
  N extends Leaf<infer T>
    ? T
    : N extends Group<infer P, infer O>
      ? { -readonly [K in keyof P]: ValueOf<P[K]> } | (O extends true ? undefined : never)
      : never;

/** The settings type of a tree. */
export type SettingsOf<P extends Shape> = { -readonly [K in keyof P]: ValueOf<P[K]> };

export function group<P extends Shape>(
  props: P,
  opts: Pick<Group<P, false>, 'key' | 'required' | 'check'> = {},
): Group<P, false> {
  return { kind: 'group', props, optional: false, ...opts };
}

export function optionalGroup<P extends Shape>(
  props: P,
  opts: Pick<Group<P, true>, 'key' | 'required' | 'check'> & Required<Pick<Group<P, true>, 'present'>>,
): Group<P, true> {
  return { kind: 'group', props, optional: true, ...opts };
}

/** One leaf of the tree, as the docs and the overlay see it. */
export interface SettingEntry {
  /** Dotted file key (`proxy.tls.listen`), or undefined for an environment-only setting. */
  readonly fileKey: string | undefined;
  readonly env: string | undefined;
  readonly leaf: Leaf<unknown>;
}

/** Every leaf of the tree with its file key and variable (docs, the docs test). */
export function listSettings(shape: Shape, prefix = ''): SettingEntry[] {
  const out: SettingEntry[] = [];
  for (const [prop, node] of Object.entries(shape)) {
    const key = node.key === undefined ? prop : node.key;
    if (node.kind === 'leaf') {
      out.push({ fileKey: key === null ? undefined : prefix + key, env: node.env, leaf: node });
    } else {
      out.push(...listSettings(node.props, key === null ? prefix : `${prefix}${key}.`));
    }
  }
  return out;
}

/** The JSON schema of the config file, derived from the tree. */
export function fileSchema(shape: Shape): object {
  const properties: Record<string, object> = {};
  collectFileProps(shape, properties);
  return { type: 'object', additionalProperties: false, properties };
}

function collectFileProps(shape: Shape, into: Record<string, object>): void {
  for (const [prop, node] of Object.entries(shape)) {
    const key = node.key === undefined ? prop : node.key;
    if (node.kind === 'leaf') {
      if (key !== null) into[key] = node.schema;
    } else if (key === null) {
      collectFileProps(node.props, into);
    } else {
      const inner: Record<string, object> = {};
      collectFileProps(node.props, inner);
      into[key] = {
        type: 'object',
        additionalProperties: false,
        ...(node.required === undefined ? {} : { required: node.required }),
        properties: inner,
      };
    }
  }
}

/** Where a file value came from: the file's name and the line of a dotted key. */
export interface FileSource {
  readonly name: string;
  readonly values: Record<string, unknown>;
  readonly lineOf: (dottedKey: string) => number | undefined;
}

/** Resolves the tree over the file values and the environment (already validated against fileSchema). */
export function resolveSettings<P extends Shape>(
  shape: P,
  env: Record<string, string | undefined>,
  file: FileSource | undefined,
): SettingsOf<P> {
  return resolveGroup(shape, env, file, file?.values, '') as SettingsOf<P>;
}

function resolveGroup(
  shape: Shape,
  env: Record<string, string | undefined>,
  file: FileSource | undefined,
  fileObject: Record<string, unknown> | undefined,
  prefix: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [prop, node] of Object.entries(shape)) {
    const key = node.key === undefined ? prop : node.key;
    if (node.kind === 'leaf') {
      out[prop] = resolveLeaf(node, key, env, file, fileObject, prefix);
      continue;
    }
    const innerObject =
      key === null ? fileObject : (fileObject?.[key] as Record<string, unknown> | undefined);
    const innerPrefix = key === null ? prefix : `${prefix}${key}.`;
    const value = resolveGroup(node.props, env, file, innerObject, innerPrefix);
    const name = (path: string): string => describe(node.props, path, env, file, innerObject, innerPrefix);
    const given = (path: string): boolean => sourceOf(node.props, path, env, innerObject) !== 'default';
    if (node.optional && node.present?.(value, given) !== true) {
      out[prop] = undefined;
      continue;
    }
    node.check?.(value, name, given);
    out[prop] = value;
  }
  return out;
}

function resolveLeaf(
  leaf: Leaf<unknown>,
  key: string | null,
  env: Record<string, string | undefined>,
  file: FileSource | undefined,
  fileObject: Record<string, unknown> | undefined,
  prefix: string,
): unknown {
  const text = leaf.env === undefined ? undefined : env[leaf.env];
  const dotted = key === null ? undefined : prefix + key;
  try {
    if (text !== undefined && text !== '') return leaf.fromText(text);
    const fromFile = key === null ? undefined : fileObject?.[key];
    if (fromFile !== undefined) return leaf.fromFile(fromFile);
    // A copy: a default list or address is not shared by every settings object made from the schema.
    return structuredClone(leaf.fallback);
  } catch (err) {
    if (!(err instanceof SettingRefused)) throw err;
    const field =
      text !== undefined && text !== '' ? withEnv(dotted, leaf.env as string) : inFile(file, dotted ?? '');
    throw new KeywayError(leaf.code ?? 'KW_ERR_NODE_CONFIG', { field, reason: err.message });
  }
}

const withEnv = (dotted: string | undefined, env: string): string =>
  dotted === undefined ? env : `${dotted} (${env})`;

function inFile(file: FileSource | undefined, dotted: string): string {
  if (file === undefined) return dotted;
  const line = file.lineOf(dotted);
  return `${file.name}${line === undefined ? '' : `:${line}`}: ${dotted}`;
}

function leafAt(shape: Shape, path: string): { leaf: Leaf<unknown>; key: string | null } {
  const node = shape[path];
  if (node === undefined || node.kind !== 'leaf') throw new Error(`no setting ${path}`);
  return { leaf: node, key: node.key === undefined ? path : node.key };
}

function sourceOf(
  shape: Shape,
  path: string,
  env: Record<string, string | undefined>,
  fileObject: Record<string, unknown> | undefined,
): 'env' | 'file' | 'default' {
  const { leaf, key } = leafAt(shape, path);
  const text = leaf.env === undefined ? undefined : env[leaf.env];
  if (text !== undefined && text !== '') return 'env';
  if (key !== null && fileObject?.[key] !== undefined) return 'file';
  return 'default';
}

function describe(
  shape: Shape,
  path: string,
  env: Record<string, string | undefined>,
  file: FileSource | undefined,
  fileObject: Record<string, unknown> | undefined,
  prefix: string,
): string {
  const { leaf, key } = leafAt(shape, path);
  const dotted = key === null ? undefined : prefix + key;
  const source = sourceOf(shape, path, env, fileObject);
  if (source === 'env') return withEnv(dotted, leaf.env as string);
  if (source === 'file') return inFile(file, dotted as string);
  return dotted ?? leaf.env ?? path;
}

// ---- leaf kinds -------------------------------------------------------------------------------------

interface LeafOpts<T> {
  env?: string;
  key?: string | null;
  default: T;
  internal?: boolean;
  code?: Code;
}

function leaf<T>(
  opts: LeafOpts<T>,
  schema: object,
  fromText: (text: string) => T,
  fromFile: (value: unknown) => T,
): Leaf<T> {
  const out: { -readonly [K in keyof Leaf<T>]: Leaf<T>[K] } = {
    kind: 'leaf',
    schema,
    fallback: opts.default,
    fromText,
    fromFile,
  };
  if (opts.env !== undefined) out.env = opts.env;
  if (opts.key !== undefined) out.key = opts.key;
  if (opts.internal !== undefined) out.internal = opts.internal;
  if (opts.code !== undefined) out.code = opts.code;
  return out;
}

/** Free text; `pattern` with the reason it gives (the value is not repeated: it may hold a password). */
export function text<D extends string | undefined>(
  opts: LeafOpts<D> & { pattern?: RegExp; reason?: string; map?: (v: string) => string },
): Leaf<string | D> {
  const check = (v: string): string => {
    if (opts.pattern !== undefined && !opts.pattern.test(v))
      throw new SettingRefused(opts.reason ?? 'has an invalid format');
    return opts.map === undefined ? v : opts.map(v);
  };
  // Ranges and patterns are checked by the leaf, not the file schema, so both sources get one reason.
  const schema = { type: 'string' };
  const fallback = (
    opts.default === undefined || opts.map === undefined ? opts.default : opts.map(opts.default)
  ) as D;
  return leaf<string | D>({ ...opts, default: fallback }, schema, check, (v) => check(v as string));
}

/** A whole number within [min, max]. */
export function int(opts: LeafOpts<number> & { min: number; max: number; unit?: string }): Leaf<number> {
  const reason = `must be a whole number from ${opts.min} to ${opts.max}${opts.unit === undefined ? '' : ` (${opts.unit})`}`;
  const check = (n: number): number => {
    if (!Number.isInteger(n) || n < opts.min || n > opts.max) throw new SettingRefused(reason);
    return n;
  };
  return leaf(
    opts,
    { type: 'integer' },
    (t) => check(/^-?[0-9]+$/.test(t.trim()) ? Number(t) : NaN),
    (v) => check(v as number),
  );
}

/** A decimal number within [min, max]. */
export function decimal(opts: LeafOpts<number> & { min: number; max: number }): Leaf<number> {
  const reason = `must be a number from ${opts.min} to ${opts.max}`;
  const check = (n: number): number => {
    if (!(n >= opts.min && n <= opts.max)) throw new SettingRefused(reason);
    return n;
  };
  return leaf(
    opts,
    { type: 'number' },
    (t) => check(/^\d*\.?\d+$/.test(t) ? Number(t) : NaN),
    (v) => check(v as number),
  );
}

/** One of a few words. */
export function oneOf<const V extends string>(values: readonly V[], opts: LeafOpts<NoInfer<V>>): Leaf<V> {
  const check = (v: string): V => {
    if (!(values as readonly string[]).includes(v))
      throw new SettingRefused(`must be one of ${values.join(', ')}`);
    return v as V;
  };
  return leaf<V>(opts, { enum: values }, check, (v) => check(v as string));
}

/** A switch: on/off, true/false, 1/0, yes/no in the environment; a boolean or on/off in the file. */
export function onOff(opts: LeafOpts<boolean>): Leaf<boolean> {
  const fromText = (v: string): boolean => {
    if (/^(on|true|1|yes)$/i.test(v)) return true;
    if (/^(off|false|0|no)$/i.test(v)) return false;
    throw new SettingRefused('must be on or off');
  };
  return leaf(opts, { anyOf: [{ type: 'boolean' }, { enum: ['on', 'off'] }] }, fromText, (v) =>
    typeof v === 'boolean' ? v : fromText(v as string),
  );
}

/** A list: comma-separated in the environment; a YAML list (or that same text) in the file. */
export function list(
  opts: Omit<LeafOpts<string[]>, 'default'> & { default?: string[]; each?: (item: string) => void },
): Leaf<string[]> {
  const check = (items: string[]): string[] => {
    for (const item of items) opts.each?.(item);
    return items;
  };
  const split = (t: string): string[] =>
    check(
      t
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
  return leaf(
    { ...opts, default: opts.default ?? [] },
    {
      anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 1000 }],
    },
    split,
    (v) => (typeof v === 'string' ? split(v) : check((v as string[]).map((s) => s.trim()).filter(Boolean))),
  );
}

/**
 * A map of names to text: `name=value,name2=value2` with percent-encoded values in the environment (the
 * format of OTEL_EXPORTER_OTLP_HEADERS), a YAML map (or that same text) in the file.
 */
export function textMap(
  opts: LeafOpts<Record<string, string>> & {
    parse: (text: string) => Record<string, string>;
    fromMap: (map: Record<string, string>) => Record<string, string>;
  },
): Leaf<Record<string, string>> {
  const fromFile = (v: unknown): Record<string, string> =>
    typeof v === 'string' ? opts.parse(v) : opts.fromMap(v as Record<string, string>);
  return leaf(
    opts,
    { anyOf: [{ type: 'string' }, { type: 'object', additionalProperties: { type: 'string' } }] },
    opts.parse,
    fromFile,
  );
}

/** A value of another shape, parsed from its text in both sources (a listen address). */
export function parsed<T>(opts: LeafOpts<T> & { schema: object; parse: (text: string) => T }): Leaf<T> {
  return leaf(opts, opts.schema, opts.parse, (v) => opts.parse(v as string));
}
