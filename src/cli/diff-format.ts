/**
 * Human-readable changes of an apply, Terraform-style: `+` create, `~` update (with the changed
 * fields), `-` delete. Only kinds, keys and field names are printed, never values: a value could be a
 * secret in a plugin config.
 */
import type { ApplyResult, Change } from '../control/types.js';
import { KINDS, type ResourceKind } from '../model/index.js';

const SIGN: Record<Change['action'], string> = { create: '+', update: '~', delete: '-' };

function singular(kind: ResourceKind): string {
  return KINDS[kind]?.singular ?? kind;
}

export function formatChange(c: Change): string {
  const fields =
    c.action === 'update' && c.fields !== undefined && c.fields.length > 0 ? ` (${c.fields.join(', ')})` : '';
  // Keys are not in any file, so the deletion of their app is the only warning they get.
  const keys = c.keys === undefined ? '' : ` (and its ${plural(c.keys, 'API key')})`;
  return `${SIGN[c.action]} ${singular(c.kind)} ${c.key}${fields}${keys}`;
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

export function countChanges(changes: Change[]): Record<Change['action'], number> {
  const n = { create: 0, update: 0, delete: 0 };
  for (const c of changes) n[c.action]++;
  return n;
}

/** The lines to print for an apply or a dry run, summary last. */
export function formatApplyResult(r: ApplyResult): string[] {
  const lines: string[] = [];
  if (r.workspace_action === 'create') lines.push(`+ workspace ${r.workspace}`);
  if (r.workspace_action === 'update') lines.push(`~ workspace ${r.workspace} (description)`);
  lines.push(...r.changes.map(formatChange));
  if (r.keys !== undefined) {
    // Keys are counted, never listed: even a visible id would tie a line of CI output to a secret.
    const verb = r.dry_run ? 'to import' : 'imported';
    lines.push(`keys: ${r.keys.imported} ${verb}, ${r.keys.unchanged} already present`);
  }
  const n = countChanges(r.changes);
  const keys = r.changes.reduce((sum, c) => sum + (c.keys ?? 0), 0);
  const withKeys = keys === 0 ? '' : ` (with ${plural(keys, 'API key')})`;
  if (r.changes.length === 0 && r.workspace_action === undefined) {
    lines.push(
      `no changes: workspace "${r.workspace}" already matches the file (config version ${r.version})`,
    );
  } else if (r.dry_run) {
    lines.push(
      `${n.create} to create, ${n.update} to update, ${n.delete} to delete${withKeys} (dry run: nothing changed)`,
    );
  } else {
    lines.push(
      `applied: ${n.create} created, ${n.update} updated, ${n.delete} deleted${withKeys} in workspace "${r.workspace}", config version ${r.version}`,
    );
  }
  return lines;
}
