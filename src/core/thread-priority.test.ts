import assert from 'node:assert/strict';
import { once } from 'node:events';
import { getPriority } from 'node:os';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';

describe('lowerThreadPriority', () => {
  it(
    'lowers the calling thread only (Linux), not the process',
    { skip: process.platform !== 'linux' },
    async () => {
      const before = getPriority();
      const module = new URL('./thread-priority.js', import.meta.url).href;
      const worker = new Worker(
        `import(${JSON.stringify(module)}).then((m) => require('node:worker_threads').parentPort.postMessage(m.lowerThreadPriority()));`,
        { eval: true },
      );
      const [nice] = (await once(worker, 'message')) as [number | undefined];
      await worker.terminate();
      assert.equal(nice, Math.min(19, before + 10));
      assert.equal(getPriority(), before, "the proxy's thread keeps its priority");
    },
  );
});
