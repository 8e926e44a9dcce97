/**
 * Select tags, as decK has them: a declarative document with `_info.select_tags` (or `keyway apply
 * --select-tag`) describes only the resources carrying every one of those tags. Its resources are written
 * with the tags added; the diff compares them with the stored resources that carry the tags; those the
 * document no longer lists are deleted; everything else in the workspace is left as it is. Several files
 * (a team each, or the README's steps) can then share one workspace without deleting each other's work.
 */
import type { ErrorDetail } from '../core/errors.js';
import {
  KINDS,
  RESOURCE_KINDS,
  emptyWorkspaceState,
  type ResourceKind,
  type Stored,
  type WorkspaceState,
} from '../model/index.js';
import type { DesiredItem, DesiredState } from './normalize.js';
import { resourceKey } from './resource-input.js';

export function hasAll(tags: readonly string[] | undefined, select: readonly string[]): boolean {
  return select.every((t) => tags?.includes(t) === true);
}

/**
 * The stored workspace split in two: what the selection manages (`managed`, every select tag present)
 * and the rest (`others`, undefined when nothing is selected: the document is then the whole workspace).
 * `strip` removes the select tags from the managed resources, as an export writes them.
 */
export function managedPart(
  state: WorkspaceState | undefined,
  select: readonly string[],
  opts: { strip?: boolean } = {},
): { managed: WorkspaceState | undefined; others: WorkspaceState | undefined } {
  if (select.length === 0) return { managed: state, others: undefined };
  if (state === undefined) return { managed: undefined, others: emptyWorkspaceState('') };
  const managed: WorkspaceState = { ...state };
  const others: WorkspaceState = { ...state };
  for (const kind of RESOURCE_KINDS) {
    const all = state[kind] as Stored<ResourceKind>[];
    const mine = all.filter((r) => hasAll(r.tags, select));
    (managed[kind] as Stored<ResourceKind>[]) =
      opts.strip === true ? mine.map((r) => withoutTags(r, select)) : mine;
    (others[kind] as Stored<ResourceKind>[]) = all.filter((r) => !hasAll(r.tags, select));
  }
  return { managed, others };
}

function withoutTags<R extends { tags?: string[] }>(resource: R, select: readonly string[]): R {
  const { tags, ...rest } = resource;
  const left = (tags ?? []).filter((t) => !select.includes(t));
  return (left.length > 0 ? { ...rest, tags: left } : rest) as R;
}

/**
 * The document's resources with the select tags added to their own. When a stored resource already has the
 * same set of tags, its order is kept, so applying an export (which leaves the select tags out) is no change.
 * The workspace's description is left alone unless the document gives one.
 */
export function withSelectTags(desired: DesiredState, managed: WorkspaceState | undefined): DesiredState {
  const select = desired.selectTags;
  if (select.length === 0) return desired;
  const items = desired.items.map((item): DesiredItem => {
    const own = item.resource.tags ?? [];
    const tags = [...own, ...select.filter((t) => !own.includes(t))];
    const stored = (managed?.[item.kind] as Stored<ResourceKind>[] | undefined)?.find(
      (r) => resourceKey(item.kind, r) === item.key,
    );
    const same =
      stored?.tags !== undefined &&
      stored.tags.length === tags.length &&
      tags.every((t) => stored.tags?.includes(t) === true);
    return { ...item, resource: { ...item.resource, tags: same ? [...(stored.tags ?? [])] : tags } };
  });
  return {
    ...desired,
    items,
    description: desired.description ?? managed?.description,
  };
}

/**
 * References in the workspace as the document would leave it: the document's own may name resources
 * outside the selection, which must exist; and a resource outside the selection must not lose what it
 * names to a deletion by this document.
 */
export function selectionProblems(next: WorkspaceState, desired: DesiredState): ErrorDetail[] {
  const keys = new Map<ResourceKind, Set<string>>(
    RESOURCE_KINDS.map((k) => [
      k,
      new Set((next[k] as Stored<ResourceKind>[]).map((r) => resourceKey(k, r))),
    ]),
  );
  const paths = new Map(desired.items.map((i) => [`${i.kind}|${i.key}`, i.path]));
  const details: ErrorDetail[] = [];
  for (const kind of RESOURCE_KINDS) {
    for (const res of next[kind] as Stored<ResourceKind>[]) {
      const key = resourceKey(kind, res);
      const fields = res as unknown as Record<string, unknown>;
      for (const ref of KINDS[kind].references) {
        const value = fields[ref.field];
        if (typeof value !== 'string' || keys.get(ref.kind)?.has(value) === true) continue;
        const target = `${KINDS[ref.kind].singular} "${value}"`;
        const at = paths.get(`${kind}|${key}`);
        details.push(
          at === undefined
            ? {
                path: '',
                message:
                  `${KINDS[kind].singular} "${key}", which this document does not manage, uses ${target}: ` +
                  `the document cannot delete it`,
              }
            : {
                path: `${at}/${ref.field}`,
                message: `${target} does not exist in workspace "${desired.workspace}"`,
              },
        );
      }
    }
  }
  return details;
}
