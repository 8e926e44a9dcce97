// Reads a V8 .cpuprofile (written by `node --cpu-prof`) and sums self time per function, so that a shortfall
// against the ceiling can be pinned on the functions that cost it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

/**
 * Self time per function (callFrame name + url + line), sorted, idle split out; `share` is of the busy time.
 * `window` ({ fromUs, toUs }, CLOCK_MONOTONIC µs: the clock of the profile's `startTime` and of
 * `process.hrtime`) keeps only the samples taken under load, leaving out start-up and configuration.
 */
export function selfTimes(file, window) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const { samples = [], timeDeltas = [] } = profile;
  const nodeById = new Map(profile.nodes.map((n) => [n.id, n]));
  // A sample stands for the time until the next one (timeDeltas[i] is the gap before sample i). Without a
  // window this sums to hitCount × sampling interval per node, with irregular gaps accounted for.
  const msByNode = new Map();
  let t = profile.startTime;
  const fallbackUs = samples.length ? (profile.endTime - profile.startTime) / samples.length : 0;
  for (let i = 0; i < samples.length; i++) {
    t += timeDeltas[i] ?? 0;
    if (window && (t < window.fromUs || t > window.toUs)) continue;
    const us = timeDeltas[i + 1] ?? fallbackUs;
    msByNode.set(samples[i], (msByNode.get(samples[i]) ?? 0) + us / 1000);
  }
  const byFunction = new Map();
  for (const [id, ms] of msByNode) {
    const { functionName, url, lineNumber } = nodeById.get(id).callFrame;
    const key = `${functionName}\u0000${url}\u0000${lineNumber}`;
    const entry = byFunction.get(key) ?? {
      name: functionName || '(anonymous)',
      where: where(url, lineNumber),
      ms: 0,
    };
    entry.ms += ms;
    byFunction.set(key, entry);
  }
  const all = [...byFunction.values()].sort((a, b) => b.ms - a.ms);
  const idleMs = all.filter((e) => e.name === '(idle)').reduce((sum, e) => sum + e.ms, 0);
  const busyMs = all.reduce((sum, e) => sum + e.ms, 0) - idleMs;
  const functions = all.filter((e) => e.name !== '(idle)');
  for (const e of functions) e.share = e.ms / busyMs;
  return { functions, idleMs, busyMs };
}

function where(url, lineNumber) {
  if (!url) return '';
  let file = url;
  if (url.startsWith('file://')) {
    file = fileURLToPath(url);
    if (file.startsWith(ROOT + path.sep)) file = path.relative(ROOT, file);
  }
  // callFrame.lineNumber is 0-based.
  return `${file}:${lineNumber + 1}`;
}

export function formatTop({ functions, idleMs, busyMs }, count = 15) {
  const lines = [
    `CPU profile: ${(busyMs / 1000).toFixed(2)} s busy, ${(idleMs / 1000).toFixed(2)} s idle; top ${count} by self time:`,
    `  ${'self ms'.padStart(9)} ${'%busy'.padStart(6)}  function  (file:line)`,
  ];
  for (const f of functions.slice(0, count)) {
    lines.push(
      `  ${f.ms.toFixed(1).padStart(9)} ${(f.share * 100).toFixed(1).padStart(6)}  ${f.name}  ${f.where ? `(${f.where})` : ''}`,
    );
  }
  return lines.join('\n');
}
