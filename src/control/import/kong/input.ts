/**
 * Reading a decK file defensively: every field is checked for the type Kong's schema gives it, and an
 * unknown field or a wrong type is an error naming its place (`services[0].routes[1].paths`), collected
 * for the whole file before anything is converted, as `keyway apply` reports a Keyway file.
 */
import { KeywayError } from '../../../core/errors.js';

/** A place in the input: `['services', 2, 'plugins', 0]`. */
export type Path = readonly (string | number)[];

/** `services[2].plugins[0]`: the spelling decK users read in their own files. */
export function showPath(path: Path): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out === '' ? '(top level)' : out;
}

/** RFC 6901 pointer, for finding the line of a place in the YAML file. */
export function pointerOf(path: Path): string {
  return path.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export type KongObject = Record<string, unknown>;

/** The fields Kong's schema gives an entity, written as words: `fieldList('id name url')`. */
export function fieldList(words: string): readonly string[] {
  return words.trim().split(/\s+/);
}

/** Collects the shape errors of one file; `done()` throws them all at once. */
export class Reader {
  private readonly errors: { path: Path; message: string }[] = [];

  constructor(private readonly file: string) {}

  fail(path: Path, message: string): void {
    this.errors.push({ path, message });
  }

  /** A mapping whose fields are all among `known`; undefined (and an error) otherwise. */
  object(path: Path, value: unknown, known: readonly string[]): KongObject | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(path, 'must be a mapping (key: value pairs)');
      return undefined;
    }
    for (const key of Object.keys(value))
      if (!known.includes(key)) this.fail([...path, key], `is not a field Kong knows here`);
    return value as KongObject;
  }

  /** A list (absent and null read as empty). */
  list(path: Path, value: unknown): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.fail(path, 'must be a list');
      return [];
    }
    return value;
  }

  string(path: Path, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.fail(path, 'must be a string');
      return undefined;
    }
    return value;
  }

  /** A string the entity cannot do without: missing and wrong types are both errors. */
  required(path: Path, value: unknown): string | undefined {
    if (value === undefined || value === null) {
      this.fail(path, 'is required');
      return undefined;
    }
    return this.string(path, value);
  }

  number(path: Path, value: unknown): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.fail(path, 'must be a number');
      return undefined;
    }
    return value;
  }

  boolean(path: Path, value: unknown): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') {
      this.fail(path, 'must be true or false');
      return undefined;
    }
    return value;
  }

  strings(path: Path, value: unknown): string[] {
    const out: string[] = [];
    this.list(path, value).forEach((v, i) => {
      const s = this.string([...path, i], v);
      if (s !== undefined) out.push(s);
      else if (v === null || v === undefined) this.fail([...path, i], 'must be a string');
    });
    return out;
  }

  /** A reference to another entity: a name or id, as a string or `{name}` / `{id}` / `{username}`. */
  reference(path: Path, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    const obj = this.object(path, value, ['id', 'name', 'username']);
    if (obj === undefined) return undefined;
    const ref = obj['name'] ?? obj['username'] ?? obj['id'];
    if (typeof ref !== 'string') {
      this.fail(path, 'must name the entity (name, username or id)');
      return undefined;
    }
    return ref;
  }

  /** Throws every shape error found: `KW_ERR_CONFIG_FILE`, each detail with its place. */
  done(): void {
    if (this.errors.length === 0) return;
    const first = this.errors[0];
    const more = this.errors.length > 1 ? ` (and ${this.errors.length - 1} more)` : '';
    throw new KeywayError(
      'KW_ERR_CONFIG_FILE',
      {
        file: this.file,
        reason: `not a decK file Keyway can read: ${first ? showPath(first.path) : ''}: ${first?.message ?? ''}${more}`,
      },
      { details: this.errors.map((e) => ({ path: pointerOf(e.path), message: e.message })) },
    );
  }
}
