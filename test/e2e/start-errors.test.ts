// `keyway start` that cannot start says why in one line that names the setting and the address or path,
// and exits 1: no "unexpected error", no stack trace. Real processes, real sockets.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/keyway-process.js';

function assertCleanFailure(
  r: { code: number | null; stdout: string; stderr: string },
  expect: RegExp,
): void {
  const all = r.stdout + r.stderr;
  assert.equal(r.code, 1, all);
  assert.doesNotMatch(all, /unexpected error/);
  assert.doesNotMatch(all, /^\s+at /m, 'a stack trace was printed');
  const line = r.stderr.split('\n').find((l) => l.startsWith('keyway start: '));
  assert.ok(line !== undefined, all);
  assert.match(line, expect);
}

describe('keyway start: start-up errors are one clean line', { timeout: 60_000 }, () => {
  let busy: net.Server;
  let port = 0;
  let dir: string;
  const env = (extra: Record<string, string>): Record<string, string> => ({
    KEYWAY_DATA_DIR: join(dir, 'data'),
    KEYWAY_PROXY_LISTEN: '127.0.0.1:0',
    KEYWAY_ADMIN_LISTEN: '127.0.0.1:0',
    KEYWAY_PORTAL_LISTEN: 'off',
    KEYWAY_LOG_LEVEL: 'warn',
    ...extra,
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyway-start-errors-'));
    busy = net.createServer();
    busy.listen(0, '127.0.0.1');
    await once(busy, 'listening');
    port = (busy.address() as net.AddressInfo).port;
  });
  after(async () => {
    await new Promise((r) => busy.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('proxy port in use: KW_ERR_NODE_CONFIG naming proxy.listen and the address', async () => {
    const r = await runCli(['start'], env({ KEYWAY_PROXY_LISTEN: `127.0.0.1:${port}` }));
    assertCleanFailure(
      r,
      new RegExp(`KW_ERR_NODE_CONFIG: .*proxy\\.listen.*127\\.0\\.0\\.1:${port}.*in use`),
    );
  });

  it('admin port in use: KW_ERR_NODE_CONFIG naming admin.listen and the address', async () => {
    const r = await runCli(['start'], env({ KEYWAY_ADMIN_LISTEN: `127.0.0.1:${port}` }));
    assertCleanFailure(
      r,
      new RegExp(`KW_ERR_NODE_CONFIG: .*admin\\.listen.*127\\.0\\.0\\.1:${port}.*in use`),
    );
  });

  it('a data directory that cannot be created: KW_ERR_NODE_CONFIG naming data_dir', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a directory');
    const r = await runCli(['start'], env({ KEYWAY_DATA_DIR: join(file, 'data') }));
    assertCleanFailure(r, /KW_ERR_NODE_CONFIG: .*data_dir.*a-file/);
  });
});
