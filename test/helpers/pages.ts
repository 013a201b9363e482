import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ARTIFACTS_DIR } from './chromium.js';

// For the Chromium page tests: an accessibility check (axe-core) and screenshots at a phone and a
// desktop size, and a fake third-party app to be sent back to.

export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };

const AXE_SOURCE = readFileSync(join(process.cwd(), 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
/** WCAG 2.2 A and AA, and axe's best practices (landmarks, headings, one main). */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe on the page as it is (the page's CSP forbids inline scripts: the browser context must be
 * created with bypassCSP: true, for the test only). Returns the violations, described one a line.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  // Code for the page is given as text: this project compiles without the DOM's types.
  if (!(await page.evaluate("typeof window.axe === 'object'")))
    await page.addScriptTag({ content: AXE_SOURCE });
  const options = JSON.stringify({ runOnly: { type: 'tag', values: AXE_TAGS } });
  const violations = (await page.evaluate(
    `window.axe.run(document, ${options}).then((result) => result.violations)`,
  )) as AxeViolation[];
  return violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

/** Screenshots at phone and desktop size into test-artifacts/, with the axe check at each size. */
export async function checkPage(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const original = page.viewportSize();
  // Responsive from 320 px up: nothing sticks out sideways even on the narrowest phone.
  await page.setViewportSize({ width: 320, height: 640 });
  expect(await sidewaysOverflow(page), `${name} scrolls sideways at 320 px`).toBeLessThanOrEqual(0);
  for (const [size, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    await page.setViewportSize(viewport);
    expect(await sidewaysOverflow(page), `${name} scrolls sideways at ${size} size`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS_DIR, `pages-${name}-${size}.png`), fullPage: true });
    expect(await accessibilityViolations(page), `axe on ${name} at ${size} size`).toEqual([]);
  }
  if (original) await page.setViewportSize(original);
}

async function sidewaysOverflow(page: Page): Promise<number> {
  return (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
}

/** A third-party app's redirect target on its own loopback port: it shows what it received. */
export async function startFakeClient(): Promise<{
  origin: string;
  redirectUri: string;
  close(): Promise<void>;
}> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const received = [...url.searchParams.keys()].map((key) => `<li>${escapeHtml(key)}</li>`).join('');
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(
      `<!doctype html><html lang="en"><title>Fake app</title><main><h1>Back in the fake app</h1><ul>${received}</ul></main></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    redirectUri: `${origin}/callback`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Runs an action that loads a new document (a link, a form) and waits for it. */
export async function loaded(page: Page, action: () => Promise<unknown>): Promise<void> {
  await Promise.all([page.waitForEvent('load'), action()]);
}

/** The id of the focused element. */
export async function focusedId(page: Page): Promise<string> {
  return (await page.evaluate("document.activeElement ? document.activeElement.id : ''")) as string;
}

/** An element's text with its white space collapsed (waits for the element). */
export async function textOf(locator: Locator): Promise<string | undefined> {
  return (await locator.textContent())?.replace(/\s+/g, ' ').trim();
}

/** What page functions use of the browser (this project compiles without the DOM's types). */
interface Window {
  getComputedStyle(element: unknown): { getPropertyValue(property: string): string };
  document: { activeElement: unknown };
}

/** One computed style property of an element. */
export async function styleOf(locator: Locator, property: string): Promise<string> {
  return locator.evaluate(
    (element, name) => (globalThis as unknown as Window).getComputedStyle(element).getPropertyValue(name),
    property,
  );
}

/** Whether the element has the keyboard focus. */
export async function hasFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => (globalThis as unknown as Window).document.activeElement === element);
}

/** Whether an image has loaded. */
export async function imageLoaded(locator: Locator): Promise<boolean> {
  return locator.evaluate((image) => {
    const img = image as unknown as { complete: boolean; naturalWidth: number };
    return img.complete && img.naturalWidth > 0;
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
