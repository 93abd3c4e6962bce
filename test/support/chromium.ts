// Headless Chromium from the distribution (Debian's `chromium` package), driven by playwright-core
// without any browser download. Used by the report's browser tests, the docs screenshot script and
// the report benchmark. Where Chromium is missing, callers skip and say why.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

/** Debian's chromium; override with HARD_TENANCY_CHROMIUM. */
export const CHROMIUM_PATH = process.env.HARD_TENANCY_CHROMIUM ?? "/usr/bin/chromium";

/**
 * Flags for a quiet, offline, root-safe run: no sandbox (CI runs as root), no GPU, and none of the
 * browser's own background traffic (component updates, sync, field trials), so that any network
 * request a test sees comes from the page.
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Why browser tests cannot run here, or null when they can. */
export function chromiumUnavailable(): string | null {
  if (!existsSync(CHROMIUM_PATH)) return `no Chromium at ${CHROMIUM_PATH} (install Debian's chromium package: apt-get install -y chromium)`;
  return null;
}

export interface BrowserSession {
  context: BrowserContext;
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh, throw-away profile (--user-data-dir), removed on close. */
export async function launchChromium(): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), "ht-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 1000 } });
  return {
    context,
    async newPage(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What a page did while loading: console errors, uncaught exceptions and every request but the page itself. */
export interface PageWatch {
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
}

export function watchPage(page: Page, documentUrl: string): PageWatch {
  const watch: PageWatch = { consoleErrors: [], pageErrors: [], requests: [] };
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") watch.consoleErrors.push(`${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => watch.pageErrors.push(error.message));
  page.on("request", (request) => {
    if (request.url() !== documentUrl) watch.requests.push(request.url());
  });
  return watch;
}

/** Opens a report file and waits until its script has run (body[data-ready]). Returns the milliseconds that took. */
export async function openReport(page: Page, file: string): Promise<number> {
  const started = performance.now();
  await page.goto(`file://${file}`);
  await page.waitForSelector("body[data-ready='true']", { timeout: 60_000 });
  return performance.now() - started;
}
