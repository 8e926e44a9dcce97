// nginx as a bare reverse proxy (1 worker, keep-alive pool to the upstream): what a mature C proxy costs.
import { startNginxProxy, nginxPath } from '../lib/nginx.mjs';
import { stop } from '../lib/processes.mjs';

let nginx;
export default {
  name: 'nginx-proxy',
  description: 'nginx 1 worker as a bare reverse proxy, upstream keep-alive 64',
  available: () => (nginxPath() ? true : 'nginx is not installed'),
  async setup(env) {
    nginx = await startNginxProxy(env.upstream.port);
    return { url: nginx.url, pid: nginx.proc.child.pid };
  },
  async teardown() {
    await stop(nginx?.proc);
  },
};
