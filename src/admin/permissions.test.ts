/** The permission table: its rules, and its copy in docs/admin-users.md (which must match it exactly). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ADMIN_ROLES, AREAS, PERMISSIONS, allowed } from './permissions.js';

const docs = readFileSync(new URL('../../../docs/admin-users.md', import.meta.url), 'utf8');

describe('permission table', () => {
  it('docs/admin-users.md prints exactly the table the checks use', () => {
    const block = docs.slice(
      docs.indexOf('<!-- permission-table:start -->'),
      docs.indexOf('<!-- permission-table:end -->'),
    );
    const rows = block
      .split('\n')
      .filter((l) => l.startsWith('|') && !l.startsWith('| -'))
      .map((l) =>
        l
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim().replace(/`/g, '')),
      );
    assert.deepEqual(rows[0], ['area', ...ADMIN_ROLES]);
    const expected = AREAS.map((area) => [
      area,
      ...ADMIN_ROLES.map((role) =>
        PERMISSIONS[role][area].length === 0 ? '-' : PERMISSIONS[role][area].join(', '),
      ),
    ]);
    assert.deepEqual(rows.slice(1), expected);
  });

  it('a grant reaches its workspace only; `*` reaches every one and the node-wide areas', () => {
    const team = [{ workspace: 'a', role: 'workspace_admin' as const }];
    assert.equal(allowed(team, 'services', 'write', 'a'), true);
    assert.equal(allowed(team, 'services', 'read', 'b'), false);
    assert.equal(allowed(team, 'logs', 'read', '*'), false);
    assert.equal(allowed(team, 'alerts', 'read', '*'), false);
    assert.equal(allowed(team, 'status', 'read', '*'), true);
    const everywhere = [{ workspace: '*', role: 'viewer' as const }];
    assert.equal(allowed(everywhere, 'logs', 'read', '*'), true);
    assert.equal(allowed(everywhere, 'services', 'write', 'a'), false);
    assert.equal(allowed(everywhere, 'admins', 'read', '*'), false);
    assert.equal(allowed(team, 'admins', 'write', '*'), false); // the handlers narrow to the team
    assert.equal(allowed(team, 'admins', 'write', 'a'), true);
  });

  it('super and workspace admins manage admin users; publishers and approvers split the workspace', () => {
    for (const role of ADMIN_ROLES)
      assert.equal(
        PERMISSIONS[role].admins.includes('write'),
        role === 'super_admin' || role === 'workspace_admin',
      );
    assert.deepEqual(PERMISSIONS.viewer.admins, []);
    assert.deepEqual(PERMISSIONS.api_publisher.consumers, ['read']);
    assert.deepEqual(PERMISSIONS.approver.routes, ['read']);
    assert.deepEqual(PERMISSIONS.approver.api_keys, ['read', 'write']);
    assert.deepEqual(PERMISSIONS.api_publisher.config, ['read']);
  });
});
