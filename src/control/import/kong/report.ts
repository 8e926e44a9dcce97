/**
 * What an import could not carry over, each at its place in the decK file. Two kinds:
 * - `dropped`: nothing of it is in the Keyway file (a plugin Keyway has no equivalent of, a credential
 *   Keyway cannot hold);
 * - `changed`: converted, but Keyway will behave differently in the way the reason says (a fixed window
 *   counted as a sliding one, a name Keyway does not allow, rewritten).
 * A reason never quotes a credential or a secret: only field names and limits.
 */
import { showPath, type Path } from './input.js';

export type NoteKind = 'dropped' | 'changed';

export interface ImportNote {
  kind: NoteKind;
  /** Place in the decK file. */
  path: Path;
  /** What is there: a plugin's name, `route`, `key-auth credential`… */
  what: string;
  reason: string;
}

export class ImportReport {
  readonly notes: ImportNote[] = [];

  dropped(path: Path, what: string, reason: string): void {
    this.notes.push({ kind: 'dropped', path, what, reason });
  }

  changed(path: Path, what: string, reason: string): void {
    this.notes.push({ kind: 'changed', path, what, reason });
  }
}

/** `services[2].plugins[0] (proxy-cache): not converted: Keyway has no response cache yet`. */
export function formatNote(note: ImportNote): string {
  const verdict = note.kind === 'dropped' ? 'not converted' : 'converted with a difference';
  return `${showPath(note.path)} (${note.what}): ${verdict}: ${note.reason}`;
}
