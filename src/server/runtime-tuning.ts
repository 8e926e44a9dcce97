/**
 * V8 settings a gateway process wants.
 *
 * `--liftoff-only` (before the first upstream connection): undici parses HTTP with llhttp compiled to
 * WebAssembly. By default V8 first compiles it with its baseline compiler (Liftoff) and then re-compiles
 * the hot functions with TurboFan; that second compile allocates ~30 MB of short-lived zone memory, which
 * shows up as peak RSS. Measured with 20,000 sequential undici requests on this codebase's Node 20: 752 ms
 * with tier-up vs 743 ms Liftoff-only (no difference), peak RSS 105 MB vs 78 MB. Keyway runs no other
 * WebAssembly.
 *
 * The young generation while starting (`holdYoungGeneration` first thing in the process,
 * `releaseYoungGeneration` once the node serves): loading modules, compiling schemas and building the first
 * snapshot make objects that survive their scavenges, which V8 reads as a reason to double the young
 * generation, up to its 2 × 16 MB maximum, and it keeps that until its memory reducer runs seconds later.
 * Holding the growth factor at 1 while starting keeps it at its initial size; under traffic it grows again
 * as V8 sees fit. Measured (`keyway start`, VmRSS after start-up): 134 → 121 MB; peak during the 1 GiB
 * transfers of test/e2e/streaming.test.ts: 153 → 137 MB.
 */
import v8 from 'node:v8';

let applied = false;

export function tuneRuntime(): void {
  if (applied) return;
  applied = true;
  v8.setFlagsFromString('--liftoff-only');
}

/** V8's default for `--semi-space-growth-factor`. */
const GROWTH_FACTOR = 2;

export function holdYoungGeneration(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}

export function releaseYoungGeneration(): void {
  v8.setFlagsFromString(`--semi-space-growth-factor=${GROWTH_FACTOR}`);
}
