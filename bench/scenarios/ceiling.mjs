// The runtime's ceiling: the smallest honest Node reverse proxy (bench/ceiling-proxy.mjs).
import path from 'node:path';
import { start, stop } from '../lib/processes.mjs';

let proxy;
export default {
  name: 'ceiling',
  description: 'node:http + one undici Pool, nothing else (bench/ceiling-proxy.mjs)',
  async setup(env) {
    proxy = await start(
      'ceiling',
      process.execPath,
      [...(env.nodeArgs ?? []), path.join(env.root, 'bench', 'ceiling-proxy.mjs'), env.upstream.origin],
      { readyLine: /listening (\d+)/ },
    );
    return { url: `http://127.0.0.1:${proxy.ready}/`, pid: proxy.child.pid };
  },
  async teardown() {
    await stop(proxy);
  },
};
