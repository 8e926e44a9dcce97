/**
 * Whole-configuration problems from `checkConfig`, turned into error details. A change is refused only for
 * problems it introduces: a check added in a later release must not freeze every unrelated admin call on a
 * configuration that was valid when it was written.
 */
import { validationError, type ErrorDetail, type KeywayError } from '../core/errors.js';
import type { SecretBox } from '../keys/secret-box.js';
import { checkConfig } from '../snapshot/check.js';
import type { ConfigProblem } from '../model/config-problem.js';
import type { ConfigState, ResourceKind } from '../model/index.js';

export function problemId(p: ConfigProblem): string {
  return JSON.stringify([p.workspace, p.kind, p.key, p.field, p.message]);
}

/**
 * `checkConfig` with this node's secret box, so it finds what its data plane would find opening AI
 * provider keys and plugin secrets: a sealed secret it cannot open, a `secret_env` variable it does not
 * have. Every node serves what it administers, and a node whose snapshot cannot compile stops taking any
 * config change, so such a secret is refused at write time rather than discovered in the log.
 */
export function configProblems(state: ConfigState, secrets?: SecretBox): ConfigProblem[] {
  return checkConfig(state, secrets);
}

export function problemSet(state: ConfigState, secrets?: SecretBox): Set<string> {
  return new Set(configProblems(state, secrets).map(problemId));
}

/** For one admin API change: problems of that resource get body paths, others a label in the message. */
/**
 * The problems of the configuration at one version, kept for the next change: a single-resource write
 * used to load and check the whole configuration twice (before, for the baseline, and after), which on
 * 16k resources is most of its cost. The baseline is a function of the stored configuration alone (the
 * secret box and environment are the node's, fixed for its life), and every committed change bumps the
 * version, so a baseline is exact for the version it was computed at — whichever node made the change.
 */
export class ProblemBaseline {
  #version: number | undefined;
  #problems: Set<string> = new Set();
  readonly #secrets: SecretBox | undefined;

  constructor(secrets?: SecretBox) {
    this.#secrets = secrets;
  }

  /** The problem set at `version`, computed from `load()` unless known. */
  async at(version: number, load: () => Promise<ConfigState>): Promise<Set<string>> {
    if (this.#version !== version) this.remember(version, problemSet(await load(), this.#secrets));
    return this.#problems;
  }

  /** The problem set of the state at `version` (the state a committed change produced). */
  remember(version: number, problems: Set<string>): void {
    this.#version = version;
    this.#problems = problems;
  }

  /** Problems of `state` that `baseline` does not have, and the whole set (the next baseline). */
  check(state: ConfigState, baseline: Set<string>): { added: ConfigProblem[]; all: Set<string> } {
    const problems = configProblems(state, this.#secrets);
    const all = new Set(problems.map(problemId));
    return { added: problems.filter((p) => !baseline.has(problemId(p))), all };
  }
}

export function problemsError(
  problems: ConfigProblem[],
  self: { workspace: string; kind: ResourceKind; key: string },
): KeywayError {
  const details: ErrorDetail[] = problems.map((p) =>
    p.workspace === self.workspace && p.kind === self.kind && p.key === self.key
      ? { path: p.field, message: p.message }
      : { path: '', message: `${problemLabel(p, self.workspace)}: ${p.message}` },
  );
  return validationError(details);
}

export function problemLabel(p: ConfigProblem, workspace: string): string {
  const where = p.workspace === workspace ? '' : `workspace "${p.workspace}" `;
  return `${where}/${p.kind}/${p.key}${p.field}`;
}
