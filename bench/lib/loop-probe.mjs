// Preloaded into a Keyway process (`node --import bench/lib/loop-probe.mjs …`) by benches that need figures
// the machine's load disturbs less than a client's latency: the event loop's delay on the proxy's thread
// (`monitorEventLoopDelay`, 1 ms resolution) and that thread's garbage collections (a `gc`
// PerformanceObserver: young-generation scavenges and full collections, their count and pauses). Each
// SIGUSR2 appends one JSON line with the figures since the previous one to $KEYWAY_BENCH_PROBE and starts
// counting afresh; the bench sends it at the boundaries of what it measures (bench/admin-load.mjs).
import { appendFileSync } from 'node:fs';
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.KEYWAY_BENCH_PROBE;
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let gc = fresh();
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const minor = e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR;
      const g = minor ? gc.scavenge : gc.major;
      g.count++;
      g.ms += e.duration;
      if (e.duration > g.maxMs) g.maxMs = e.duration;
      if (e.duration > 5) g.over5ms++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  process.on('SIGUSR2', () => {
    const ms = (ns) => Math.round(ns / 1e4) / 100;
    const round = (g) => ({ ...g, ms: Math.round(g.ms * 10) / 10, maxMs: Math.round(g.maxMs * 10) / 10 });
    appendFileSync(
      file,
      `${JSON.stringify({
        loop: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
        scavenge: round(gc.scavenge),
        major: round(gc.major),
      })}\n`,
    );
    delay.reset();
    gc = fresh();
  });
}

function fresh() {
  return {
    scavenge: { count: 0, ms: 0, maxMs: 0, over5ms: 0 },
    major: { count: 0, ms: 0, maxMs: 0, over5ms: 0 },
  };
}
