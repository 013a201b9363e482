import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_ISSUER, type TestApp } from '../helpers/app.js';
import { decodeEntities } from '../helpers/browser.js';

// The "Connect with appointman" button, served by the server: an SVG image, a stylesheet for the
// HTML version, and a page with the snippets to paste.

describe('"Connect with appointman" button', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('serves an accessible SVG that caches can keep', async () => {
    const response = await t.app.inject({ url: '/button/connect-with-appointman.svg' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(response.headers['cache-control']).toBe('public, max-age=86400');
    expect(response.body).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="48"/);
    expect(response.body).toContain('role="img" aria-labelledby="label"');
    expect(response.body).toContain('<title id="label">Connect with appointman</title>');
    // Nothing it loads from anywhere: no links, scripts or styles of its own.
    expect(response.body).not.toMatch(/href=|<script|<style|url\(/);
    const german = await t.app.inject({ url: '/button/connect-with-appointman.svg?lang=de' });
    expect(german.body).toContain('<title id="label">Mit appointman verbinden</title>');
  });

  it('serves the stylesheet of the HTML button', async () => {
    const response = await t.app.inject({ url: '/button/connect.css' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(response.headers['cache-control']).toBe('public, max-age=86400');
    expect(response.body).toContain('.appointman-connect {');
    expect(response.body).toContain('.appointman-connect:focus-visible {');
  });

  it('shows both snippets, with this server’s address, on /button/', async () => {
    expect((await t.app.inject({ url: '/button' })).headers.location).toBe('/button/');
    const page = await t.app.inject({ url: '/button/' });
    expect(page.statusCode).toBe(200);
    const text = decodeEntities(page.body);
    expect(text).toContain(
      `<link rel="stylesheet" href="${TEST_ISSUER}/button/connect.css">\n<a class="appointman-connect" href="/login/appointman">Connect with appointman</a>`,
    );
    expect(text).toMatch(
      new RegExp(
        `<a href="/login/appointman"><img src="${TEST_ISSUER}/button/connect-with-appointman.svg" alt="Connect with appointman" width="\\d+" height="48"></a>`,
      ),
    );
    expect(page.body).toContain('<link rel="stylesheet" href="/button/connect.css">');
    const german = await t.app.inject({ url: '/button/', headers: { 'accept-language': 'de' } });
    expect(decodeEntities(german.body)).toContain(
      'connect-with-appointman.svg?lang=de" alt="Mit appointman verbinden"',
    );
  });
});
