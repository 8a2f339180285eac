/**
 * Journeys in a real browser: Debian's chromium (never a downloaded one) driven by playwright-core,
 * launched once per test file. A `BrowserUser` is one signed-in person with their own cookies; it
 * collects what only a browser sees (script errors, Content-Security-Policy violations, failed
 * requests) and `check(name)` holds each page to:
 *   - axe-core's WCAG 2.0/2.1/2.2 A and AA rules, injected with `page.evaluate` so the page's real
 *     Content-Security-Policy stays on (no `bypassCSP`);
 *   - no sideways scrolling at 320 px wide (WCAG 1.4.10 Reflow, which axe cannot see);
 *   - a screenshot at 1024 px wide into EDGATE_SCREENSHOTS=DIR when set.
 * `finish()` fails if a page was visited but never checked, or anything went wrong on the way.
 *
 * The files skip when /usr/bin/chromium is absent, unless EDGATE_REQUIRE_BROWSER=1 (as in CI).
 * The pages are the same on either database engine: they run on the PGlite pass only.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { TEST_PASSWORD } from './test-app.ts';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.EDGATE_REQUIRE_BROWSER === '1') {
  throw new Error(`${CHROMIUM} is required (EDGATE_REQUIRE_BROWSER=1): apt-get install -y chromium`);
}

/** `describe`'s skip option for a browser file: why it does not run here, or false. */
export const browserSkip: string | false = !available
  ? `${CHROMIUM} not installed`
  : process.env.EDGATE_TEST_ENGINE === 'postgres'
    ? 'pages are checked once, on the PGlite pass'
    : false;

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
const SCREENSHOT_WIDTH = 1024;
const REFLOW_WIDTH = 320;
/** Screenshots stop here: a long table's tail adds bytes, not understanding. */
const SCREENSHOT_MAX_HEIGHT = 2400;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-extensions',
    ],
  });
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

export class BrowserUser {
  readonly problems: string[] = [];
  /** Pages that failed axe or the 320 px check: reported together, so one run shows every page's. */
  private readonly failures: string[] = [];
  private readonly visited = new Set<string>();
  private readonly checked = new Set<string>();

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  /** A fresh person (own cookies) at `baseUrl`, whose test server's self-signed certificate is accepted. */
  static async open(browser: Browser, baseUrl: string): Promise<BrowserUser> {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: SCREENSHOT_WIDTH, height: 768 },
    });
    const page = await context.newPage();
    const user = new BrowserUser(context, page, baseUrl);
    // Before any page script: CSP violations are events the page sees, not always console lines.
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
      });
    });
    page.on('console', (message) => {
      // A refused form answers 422 and a refused page 403 by design; assets are caught below.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        user.problems.push(`console on ${page.url()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => user.problems.push(`script error on ${page.url()}: ${error.message}`));
    page.on('requestfailed', (request) => {
      const error = request.failure()?.errorText;
      // A navigation cancels what the page before it was still loading (its favicon): not a fault.
      if (error !== 'net::ERR_ABORTED') user.problems.push(`request failed: ${request.url()} (${error})`);
    });
    page.on('response', (response) => {
      const status = response.status();
      const isPage = response.request().isNavigationRequest();
      if (status >= 500 || status === 404 || (status >= 400 && !isPage))
        user.problems.push(`${status} for ${response.url()}`);
    });
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) user.visited.add(pathOf(frame.url()));
    });
    return user;
  }

  async goto(target: string): Promise<void> {
    await this.page.goto(new URL(target, this.baseUrl).href);
  }

  /** Signs in through the real form, from the address `next` (the sign-in page comes first). */
  async signIn(username: string, next = '/'): Promise<void> {
    await this.goto(`/login?next=${encodeURIComponent(next)}`);
    await this.check();
    await this.page.getByLabel('Username').fill(username);
    await this.page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await this.page.waitForURL((url) => !url.pathname.startsWith('/login'));
  }

  /**
   * Records whether the page now shown passes axe (WCAG 2.2 A and AA) with zero violations under
   * its real CSP, and at 320 px neither scrolls sideways nor has a scrolling box a keyboard cannot
   * reach; `screenshot` names its picture when screenshots are asked for.
   */
  async check(screenshot?: string): Promise<void> {
    const { page } = this;
    await page.waitForLoadState('load');
    const where = pathOf(page.url());
    const violations = await runAxe(page);
    for (const v of violations)
      for (const node of v.nodes)
        this.failures.push(`${where}: axe ${v.id} (${v.impact}) at ${node.target.join(' ')}: ${v.help}`);
    if (screenshot && process.env.EDGATE_SCREENSHOTS) await this.screenshot(screenshot);
    await page.setViewportSize({ width: REFLOW_WIDTH, height: 640 });
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      inner: window.innerWidth,
      // The overflowing elements that no scrolling region of their own contains: the culprits.
      widest: [...document.querySelectorAll('body *')]
        .filter((e) => {
          if (e.getBoundingClientRect().right <= window.innerWidth + 1) return false;
          for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
            if (getComputedStyle(a).overflowX !== 'visible') return false;
          return true;
        })
        .slice(-3)
        .map(
          (e) =>
            `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} "${e.textContent?.trim().slice(0, 40)}"`,
        ),
    }));
    // A table's box scrolls only on a narrow screen: only then must a keyboard be able to reach it.
    const narrow = await runAxe(page, { type: 'rule', values: ['scrollable-region-focusable'] });
    for (const v of narrow)
      for (const node of v.nodes)
        this.failures.push(
          `${where} at ${REFLOW_WIDTH} px: axe ${v.id} (${v.impact}) at ${node.target.join(' ')}: ${v.help}`,
        );
    await page.setViewportSize({ width: SCREENSHOT_WIDTH, height: 768 });
    if (widths.scroll > widths.inner)
      this.failures.push(
        `${where}: scrolls sideways at ${REFLOW_WIDTH} px, ${widths.scroll} px wide (${widths.widest.join(', ')})`,
      );
    this.checked.add(where);
  }

  private async screenshot(name: string): Promise<void> {
    const dir = process.env.EDGATE_SCREENSHOTS!;
    mkdirSync(dir, { recursive: true });
    const height = await this.page.evaluate(() => document.documentElement.scrollHeight);
    await this.page.screenshot({
      path: path.join(dir, `${name}.png`),
      fullPage: true,
      clip: { x: 0, y: 0, width: SCREENSHOT_WIDTH, height: Math.min(height, SCREENSHOT_MAX_HEIGHT) },
    });
  }

  /** Every page visited was checked, and nothing went wrong in the browser on the way. */
  async finish(): Promise<void> {
    const unchecked = [...this.visited].filter((p) => !this.checked.has(p));
    await this.context.close();
    assert.deepEqual(this.problems, [], 'no script errors, CSP violations or failed requests');
    assert.deepEqual(this.failures, [], 'every page passes axe (WCAG 2.2 A and AA) and fits 320 px');
    assert.deepEqual(unchecked, [], 'pages visited but not checked');
  }
}

/** The path and query of an address: what tells two pages apart. */
function pathOf(url: string): string {
  const { pathname, search } = new URL(url);
  return pathname + search;
}

async function runAxe(
  page: Page,
  runOnly: { type: 'tag' | 'rule'; values: string[] } = { type: 'tag', values: WCAG_TAGS },
): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, not a <script>: the page's own CSP is untouched.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  // No named functions inside: tsx would wrap them in a helper the page does not have.
  const violations = await page.evaluate(async (only) => {
    const { axe } = window as unknown as {
      axe: {
        run(
          context: Document,
          options: object,
        ): Promise<{
          violations: AxeViolation[];
        }>;
      };
    };
    const results = await axe.run(document, {
      runOnly: only,
      resultTypes: ['violations'],
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  }, runOnly);
  return violations;
}
