/**
 * The admin console in a real browser (Debian's Chromium through playwright-core) against a real node:
 * an admin user signs in with a password (a wrong one shows the server's answer), sees the services,
 * searches them, creates one through the form generated from the services' JSON schema and finds it
 * listed, gets the server's error naming the field for bad input, deletes a service after confirming,
 * approves a pending subscription and rejects another with a reason, switches workspace, and signs out.
 * Every main page passes axe-core (WCAG 2.1 AA: labels, names, contrast) with no CSP violation or script
 * error, is screenshotted under test-results/screenshots/, and the sign-in works from the keyboard alone.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { request } from 'undici';
import { startNode, type RunningNode } from '../../src/server/node.js';
import { loadSettings } from '../../src/server/settings.js';
import {
  accessibilityProblems,
  focused,
  launchBrowser,
  openPage,
  screenshot,
  type PageWatch,
} from '../helpers/browser.js';

const PASSWORD = 'correct horse battery staple';

const DOCUMENT = {
  _format_version: '1',
  plans: [{ name: 'gold', rate_limits: [{ limit: 100, window: '1s' }] }],
  services: [
    { name: 'weather', url: 'http://127.0.0.1:9/weather', approval: 'manual', subscription_required: true },
    { name: 'geocoding', url: 'http://127.0.0.1:9/geo', tags: ['maps'], approval: 'manual' },
    { name: 'old-billing', url: 'http://127.0.0.1:9/billing' },
  ],
  consumers: [
    { username: 'globex', apps: [{ name: 'globex-dash' }] },
    { username: 'initech', apps: [{ name: 'initech-tps' }] },
  ],
  subscriptions: [
    { app: 'globex-dash', service: 'weather', plan: 'gold' },
    { app: 'initech-tps', service: 'geocoding' },
  ],
};

describe('admin console in a browser', () => {
  let node: RunningNode;
  let admin: string;
  let token: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watch: PageWatch;

  const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await request(`${admin}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    return { status: res.statusCode, json: JSON.parse(text) as Record<string, unknown> };
  };

  /** A page's accessibility, CSP and script health, and its screenshot. */
  const checkPage = async (name: string) => {
    await screenshot(page, name);
    assert.deepEqual(await accessibilityProblems(page), [], `axe on ${name}`);
    assert.deepEqual(watch.problems, [], `console of ${name}`);
  };

  before(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keyway-console-'));
    node = await startNode({
      settings: loadSettings({
        env: {
          KEYWAY_DATA_DIR: dataDir,
          KEYWAY_PROXY_LISTEN: '127.0.0.1:0',
          KEYWAY_ADMIN_LISTEN: '127.0.0.1:0',
          KEYWAY_PORTAL_LISTEN: 'off',
        },
      }),
      logger: pino({ level: 'silent' }),
    });
    admin = `http://${node.addresses.admin}`;
    token = readFileSync(node.adminTokenFile, 'utf8').trim();
    const applied = await api('POST', '/config', DOCUMENT);
    assert.equal(applied.status, 200, JSON.stringify(applied.json));
    const team = await api('POST', '/workspaces', { name: 'payments' });
    assert.equal(team.status, 201, JSON.stringify(team.json));
    const rita = await api('POST', '/admins', {
      name: 'rita',
      grants: [
        { workspace: 'default', role: 'workspace_admin' },
        { workspace: 'payments', role: 'viewer' },
      ],
      password: PASSWORD,
    });
    assert.equal(rita.status, 201, JSON.stringify(rita.json));
    browser = await launchBrowser();
    ({ context, page, watch } = await openPage(browser));
    // Generous for a loaded machine, short enough that a missing element fails the test in time.
    page.setDefaultTimeout(15_000);
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await node?.stop();
  });

  it("serves the console at /console/ (the admin listener's root leads there)", async () => {
    const res = await page.goto(`${admin}/`);
    assert.equal(res?.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/console/');
    assert.match(String(res?.headers()['content-security-policy']), /script-src 'self'/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it("refuses a wrong password with the server's answer, then signs in from the keyboard alone", async () => {
    await page.getByLabel('User name', { exact: true }).fill('rita');
    await page.getByLabel('Password', { exact: true }).fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('KW_ERR_ADMIN_LOGIN_FAILED').waitFor();
    await checkPage('sign-in');

    await page.getByLabel('Password', { exact: true }).fill('');
    await page.getByLabel('User name', { exact: true }).focus();
    assert.equal(await focused(page), 'input "user"');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'input "password"');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview of default' }).waitFor();
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'keyway_console');
    assert.equal(session?.httpOnly, true, "the session is out of the page scripts' reach");
    assert.equal(await page.evaluate('document.cookie'), '');
  });

  it('shows the overview with its chart', async () => {
    await page.locator('.chart canvas').waitFor();
    await checkPage('overview');
  });

  it('lists and searches services', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Services' }).click();
    await page.getByRole('heading', { name: 'Services' }).waitFor();
    await page.getByText('3 of 3 services in workspace default').waitFor();
    await checkPage('services');
    await page.getByLabel('Search services').fill('maps');
    await page.getByText('1 of 3 services').waitFor();
    assert.equal(
      await page
        .getByRole('rowheader')
        .allTextContents()
        .then((r) => r.join()),
      'geocoding',
    );
    await page.getByLabel('Search services').fill('');
  });

  it('creates a service through the form generated from its schema, and finds it listed', async () => {
    await page.getByRole('link', { name: 'New service' }).click();
    await page.getByRole('heading', { name: 'New service' }).waitFor();
    await page.locator('#root_name').waitFor();
    // Fields come from the schema in /openapi.json: the model's, with no form code per field.
    for (const field of ['name', 'url', 'description', 'enabled', 'retries', 'visibility', 'approval'])
      assert.equal(await page.locator(`#root_${field}`).count(), 1, `field ${field}`);
    await checkPage('service-new');
    await page.locator('#root_name').fill('forecast');
    await page.locator('#root_url').fill('http://127.0.0.1:9/forecast');
    await page.locator('#root_description').fill('Seven-day forecasts');
    await page.locator('#root_visibility').selectOption('public');
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.getByText('4 of 4 services in workspace default').waitFor();
    const stored = await api('GET', '/services/forecast');
    assert.equal(stored.status, 200);
    assert.equal(stored.json['visibility'], 'public');
    assert.equal(stored.json['description'], 'Seven-day forecasts');
  });

  it("shows the server's error naming the field for bad input, and changes nothing", async () => {
    await page.getByRole('link', { name: 'New service' }).click();
    await page.locator('#root_name').fill('broken');
    await page.locator('#root_url').fill('ftp://files.example');
    await page.getByRole('button', { name: 'Create service' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('KW_ERR_VALIDATION').waitFor();
    assert.match(await alert.innerText(), /\/url/);
    await checkPage('service-error');
    assert.equal((await api('GET', '/services/broken')).status, 404);
  });

  it('edits a service (its name is read-only) and deletes one after confirming', async () => {
    await page.getByRole('link', { name: '← Services' }).click();
    await page.getByRole('link', { name: 'geocoding' }).click();
    await page.getByRole('heading', { name: 'Service geocoding' }).waitFor();
    await page.locator('#root_name').waitFor();
    assert.equal(await page.locator('#root_name').isEditable(), false);
    await page.locator('#root_retries').fill('3');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('4 of 4 services').waitFor();
    assert.equal((await api('GET', '/services/geocoding')).json['retries'], 3);

    await page.getByRole('button', { name: 'Delete service old-billing' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete service old-billing?' });
    await dialog.waitFor();
    await checkPage('service-delete');
    // The browser's modal dialog: focus is inside it; Escape cancels and gives focus back.
    assert.match(await focused(page), /^(button|input|textarea)/);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await focused(page), 'button "Delete service old-billing"');
    await page.keyboard.press('Enter');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await api('GET', '/services/old-billing')).status, 200, 'cancel deletes nothing');
    await page.getByRole('button', { name: 'Delete service old-billing' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Service old-billing deleted.').waitFor();
    assert.equal((await api('GET', '/services/old-billing')).status, 404);
  });

  it('approves a pending subscription and rejects another with a reason', async () => {
    await page.getByRole('link', { name: 'Subscriptions' }).click();
    await page.getByText('2 pending subscriptions').waitFor();
    await checkPage('subscriptions');
    await page.getByRole('button', { name: 'Approve globex-dash on weather' }).click();
    await page.getByText('globex-dash → weather: approved.').waitFor();
    await page.getByRole('button', { name: 'Reject initech-tps on geocoding' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason (kept with the subscription)').fill('no production use case yet');
    await checkPage('subscription-reject');
    await dialog.getByRole('button', { name: 'Reject' }).click();
    await page.getByText('initech-tps → geocoding: rejected.').waitFor();
    const subs = (await api('GET', '/subscriptions?limit=10')).json['data'] as Array<Record<string, unknown>>;
    const by = (app: string) => subs.find((s) => s['app'] === app);
    assert.equal(by('globex-dash')?.['status'], 'approved');
    assert.match(String(by('globex-dash')?.['decided_by']), /^rita/, 'the decision names the admin user');
    assert.equal(by('initech-tps')?.['status'], 'rejected');
    assert.equal(by('initech-tps')?.['reason'], 'no production use case yet');
  });

  it('switches workspace, where the viewer role cannot change things', async () => {
    await page.getByLabel('Workspace').selectOption('payments');
    await page.getByRole('heading', { name: 'Subscriptions' }).waitFor();
    assert.match(new URL(page.url()).pathname, /^\/console\/w\/payments\/subscriptions$/);
    await page.getByText('No pending subscriptions in workspace payments.').waitFor();
    await page.getByRole('link', { name: 'Services' }).click();
    await page.getByRole('link', { name: 'New service' }).click();
    await page.locator('#root_name').fill('ledger');
    await page.locator('#root_url').fill('http://127.0.0.1:9/ledger');
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.getByRole('alert').getByText('KW_ERR_ADMIN_FORBIDDEN').waitFor();
  });

  it('signs out: the page returns to sign-in and the old cookie opens nothing', async () => {
    const before = (await context.cookies()).find((c) => c.name === 'keyway_console');
    assert.ok(before !== undefined);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const res = await request(`${admin}/services`, { headers: { cookie: `keyway_console=${before.value}` } });
    assert.equal(res.statusCode, 401);
    await res.body.dump();
    assert.deepEqual(watch.problems, []);
  });
});
