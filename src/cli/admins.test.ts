/** `keyway admins`: users, grants and tokens through the CLI, against a real admin API on a port. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAdmin, type AdminHarness } from '../../test/helpers/admin-harness.js';
import { main } from './main.js';

describe('keyway admins', () => {
  let h: AdminHarness;
  let adminUrl: string;
  before(async () => {
    h = await startAdmin();
    adminUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => h.close());

  async function run(argv: string[], token = h.token) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
      [...argv, '--admin-url', adminUrl, '--token', token],
      {},
      {
        out: (t) => void out.push(...t.replace(/\n$/, '').split('\n')),
        err: (t) => void err.push(...t.replace(/\n$/, '').split('\n')),
      },
    );
    return { code, out, err };
  }

  it('creates a user, grants roles, makes and revokes a token, deletes the user', async () => {
    const created = await run(['admins', 'create', 'rita', '--grant', 'default:viewer']);
    assert.equal(created.code, 0, created.err.join('\n'));
    assert.deepEqual(created.out, ['created rita: default:viewer']);
    const granted = await run([
      'admins',
      'grant',
      'rita',
      '--grant',
      'default:approver',
      '--grant',
      '*:viewer',
    ]);
    assert.deepEqual(granted.out, ['updated rita: default:approver, *:viewer']);
    assert.deepEqual((await run(['admins', 'list'])).out, ['rita  default:approver, *:viewer']);

    const made = await run(['admins', 'tokens', 'create', 'rita', '--name', 'laptop', '--expires-in', '30d']);
    assert.equal(made.code, 0, made.err.join('\n'));
    const token = made.out[1] ?? '';
    assert.match(token, /^kwadm_/);
    const id = /id ([0-9a-f-]{36})/.exec(made.out[0] ?? '')?.[1] ?? '';
    // The user's token works for what the roles allow, and is refused the rest.
    assert.equal((await run(['admins', 'list'], token)).code, 1);
    assert.equal((await run(['status'], token)).code, 0);
    const listed = await run(['admins', 'tokens', 'list', 'rita']);
    assert.match(listed.out[0] ?? '', new RegExp(`^${id}  laptop  token  expires `));
    assert.ok(!listed.out.join('\n').includes(token));
    assert.equal((await run(['admins', 'tokens', 'revoke', 'rita', id])).code, 0);
    assert.equal((await run(['status'], token)).code, 1);
    assert.equal((await run(['admins', 'delete', 'rita'])).code, 0);
  });

  it('a forbidden call says which role is missing, in one line', async () => {
    await run(['admins', 'create', 'vic', '--grant', 'default:viewer']);
    const token = (await run(['admins', 'tokens', 'create', 'vic', '--name', 't'])).out[1] ?? '';
    const r = await run(['keys', 'create', '--app', 'nope'], token);
    assert.equal(r.code, 1);
    assert.match(r.err.join('\n'), /your admin roles do not allow write on api_keys in workspace "default"/);
  });

  it('a team admin manages their own team: list, create, disable and enable; nothing beyond', async () => {
    const ws = await h.app.inject({
      method: 'POST',
      url: '/workspaces',
      headers: h.auth,
      payload: { name: 'pay' },
    });
    assert.equal(ws.statusCode, 201);
    await run(['admins', 'create', 'pam', '--grant', 'pay:workspace_admin', '--grant', 'default:viewer']);
    const pam = (await run(['admins', 'tokens', 'create', 'pam', '--name', 't'])).out[1] ?? '';
    const made = await run(['admins', 'create', 'devon', '--grant', 'pay:api_publisher'], pam);
    assert.equal(made.code, 0, made.err.join('\n'));
    assert.deepEqual((await run(['admins', 'disable', 'devon'], pam)).out, [
      'disabled devon: their tokens answer 401 and their password logs nothing in',
    ]);
    assert.deepEqual((await run(['admins', 'list'], pam)).out, [
      'devon  pay:api_publisher  (disabled)',
      'pam  pay:workspace_admin',
    ]);
    assert.deepEqual((await run(['admins', 'enable', 'devon'], pam)).out, ['enabled devon']);
    const escalate = await run(['admins', 'grant', 'devon', '--grant', '*:super_admin'], pam);
    assert.equal(escalate.code, 1);
    assert.match(escalate.err.join('\n'), /only a super admin may grant super_admin/);
  });

  it('refuses a malformed grant before calling anything', async () => {
    const r = await run(['admins', 'create', 'x', '--grant', 'viewer']);
    assert.equal(r.code, 2);
    assert.match(r.err[0] ?? '', /--grant takes WORKSPACE:ROLE/);
  });
});
