import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { projectRoot } from './helpers.js';

/** Debian's chromium (CI installs it in .ci/run); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumMissing = existsSync(CHROMIUM)
  ? undefined
  : `chromium is not installed at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH): the browser test is skipped`;

/** Where the browser tests leave their screenshots (gitignored). */
export const ARTIFACTS = join(projectRoot, 'test-artifacts');

export interface OpenedPage {
  readonly page: Page;
  /** Every request the page made other than the file itself (each was blocked). */
  readonly leaks: string[];
  close(): Promise<void>;
}

/** Opens an HTML file in headless Chromium at 1280×900; every request but the file's own is blocked and recorded. */
export async function openFile(file: string): Promise<OpenedPage> {
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const url = pathToFileURL(file).href;
  const leaks: string[] = [];
  await context.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    leaks.push(route.request().url());
    return route.abort();
  });
  context.on('request', (request) => {
    if (request.url() !== url && !leaks.includes(request.url())) leaks.push(request.url());
  });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load' });
  mkdirSync(ARTIFACTS, { recursive: true });
  return { page, leaks, close: () => browser.close() };
}
