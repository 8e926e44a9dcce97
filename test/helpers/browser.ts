/**
 * Browser tests: Debian's Chromium driven by `playwright-core` (the library alone, no browser download),
 * pages checked by axe-core injected into them, and a screenshot of every main page saved under
 * `test-results/screenshots/` (git-ignored) for people to look at.
 *
 * Chromium is found at `KEYWAY_CHROMIUM`, else /usr/bin/chromium (`apt-get install -y chromium`; `.ci/run`
 * installs it when missing).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './keyway-process.js';

export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

export function chromiumPath(): string {
  const candidates = [process.env['KEYWAY_CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((p): p is string => p !== undefined && p !== '' && existsSync(p));
  if (found === undefined)
    throw new Error('no Chromium found: apt-get install -y chromium (or set KEYWAY_CHROMIUM to its path)');
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in a container has no user namespace for Chromium's sandbox; the pages are the project's own.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** What a page said that a test should fail on: script errors, CSP violations, console errors. */
export interface PageWatch {
  problems: string[];
}

/**
 * A fresh browser profile (cookies of its own) and a page in it. Console errors other than the ones a
 * test provokes on purpose (answers 4xx the page shows) are collected, CSP violations first of all.
 */
export async function openPage(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; watch: PageWatch }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
  const page = await context.newPage();
  const watch: PageWatch = { problems: [] };
  page.on('pageerror', (err) => watch.problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    const text = msg.text();
    // A failed fetch the page handles (401 before sign-in, a 400 it shows) is logged by Chromium as a
    // resource error: not a problem of the page.
    if (msg.type() === 'error' && !/Failed to load resource/.test(text))
      watch.problems.push(`console: ${text}`);
  });
  return { context, page, watch };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/**
 * Runs axe-core in the page (WCAG 2.1 A and AA rules: labels, names, contrast, landmarks, keyboard
 * reachability of controls) and answers its violations, each as one readable line.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  if (axeSource === undefined) {
    const require = createRequire(import.meta.url);
    axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  }
  // Evaluated through the DevTools protocol, not a <script> element: the page's CSP stays as strict as it is.
  await page.evaluate(axeSource);
  const violations = await page.evaluate<AxeViolation[]>(`axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    }).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    })))`);
  return violations.map(
    (v) =>
      `${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`,
  );
}

/** The element that has keyboard focus, described for an assertion (`button "Sign in"`). */
export async function focused(page: Page): Promise<string> {
  return page.evaluate<string>(`(() => {
    const el = document.activeElement;
    if (!el) return '';
    const name = el.getAttribute('aria-label') || el.textContent || el.getAttribute('name') || '';
    return el.tagName.toLowerCase() + ' "' + name.trim().replace(/\\s+/g, ' ') + '"';
  })()`);
}
