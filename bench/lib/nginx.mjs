// nginx as the fixed upstream and as the reference reverse proxy. Each instance gets a generated config in
// its own temp dir (pid, logs and temp paths inside it), one worker, and runs in the foreground.
import { writeFileSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { BODY } from './body.mjs';
import { start, tempDir, freePort, waitFor, which } from './processes.mjs';

export const nginxPath = () => which('nginx');

export function nginxVersion() {
  const bin = nginxPath();
  if (!bin) return null;
  // nginx prints `nginx version: nginx/1.22.1` on stderr.
  const { stderr } = spawnSync(bin, ['-v'], { encoding: 'utf8' });
  return stderr?.trim().replace(/^nginx version:\s*/, '') || 'nginx';
}

function config(dir, port, upstreamBlock, location) {
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  # nginx closes a keep-alive connection after 1000 requests by default; Node never does. Lift the limit so
  # no candidate pays for reconnections the others don't.
  keepalive_requests 1000000;
  keepalive_timeout 65s;
${upstreamBlock}
  server {
    listen 127.0.0.1:${port};
    location / {
${location}
    }
  }
}
`;
}
async function run(name, upstreamBlock, location) {
  const dir = tempDir(name);
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(conf, config(dir, port, upstreamBlock, location));
  const proc = await start(
    name,
    nginxPath(),
    ['-p', dir, '-c', conf, '-e', `${dir}/error.log`, '-g', 'daemon off;'],
    {
      logDir: dir,
    },
  );
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitFor(url, { proc, timeoutMs: 10_000 });
  } catch (err) {
    let log = '';
    try {
      log = readFileSync(path.join(dir, 'error.log'), 'utf8');
    } catch {
      /* none */
    }
    throw new Error(`${err.message}\n${log}`);
  }
  return { proc, url, port };
}

/** nginx answering every request with the fixed body. */
export function startNginxUpstream() {
  const body = JSON.stringify(BODY); // a double-quoted string with \n escaped: nginx's syntax for the same bytes
  return run('nginx-upstream', '', `      default_type text/plain;\n      return 200 ${body};`);
}

/** nginx as a bare reverse proxy to `upstreamPort`, with a keep-alive pool to it. */
export function startNginxProxy(upstreamPort) {
  const upstreamBlock = `  upstream bench_upstream {
    server 127.0.0.1:${upstreamPort};
    keepalive 64;
    keepalive_requests 1000000;
  }`;
  return run(
    'nginx-proxy',
    upstreamBlock,
    `      proxy_pass http://bench_upstream;
      # Upstream keep-alive needs HTTP/1.1 and an empty Connection header.
      proxy_http_version 1.1;
      proxy_set_header Connection "";`,
  );
}
