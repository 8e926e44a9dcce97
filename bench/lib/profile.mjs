// Reads a V8 .cpuprofile (written by `node --cpu-prof`) and sums self time per function, so that a shortfall
// against the ceiling can be pinned on the functions that cost it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** [{ name, where, ms, share }] sorted by self time; `share` is of the non-idle time. */
export function selfTimes(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const samples = profile.samples?.length ?? 0;
  // Average sampling interval in ms (startTime/endTime are µs); hitCount × interval = self time.
  const intervalMs = samples ? (profile.endTime - profile.startTime) / samples / 1000 : 0;
  const byFunction = new Map();
  for (const node of profile.nodes) {
    if (!node.hitCount) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName}\u0000${url}\u0000${lineNumber}`;
    const entry = byFunction.get(key) ?? { name: functionName || '(anonymous)', where: where(url, lineNumber), ms: 0 };
    entry.ms += node.hitCount * intervalMs;
    byFunction.set(key, entry);
  }
  const all = [...byFunction.values()].sort((a, b) => b.ms - a.ms);
  const idle = all.filter((e) => e.name === '(idle)').reduce((s, e) => s + e.ms, 0);
  const busy = all.reduce((s, e) => s + e.ms, 0) - idle;
  for (const e of all) e.share = e.name === '(idle)' ? NaN : e.ms / busy;
  return { functions: all.filter((e) => e.name !== '(idle)'), idleMs: idle, busyMs: busy, intervalMs };
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
    lines.push(`  ${f.ms.toFixed(1).padStart(9)} ${(f.share * 100).toFixed(1).padStart(6)}  ${f.name}  ${f.where ? `(${f.where})` : ''}`);
  }
  return lines.join('\n');
}
