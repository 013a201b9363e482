import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { Browser, hiddenFields } from '../helpers/browser.js';
import { makeUser, PASSWORD } from '../helpers/fixtures.js';

// Checklist A9 (RFC 6819 §4.4.3.6, §5.1.4.2.3): sign-in failures do not tell whether the user
// exists, and online guessing locks per account (5 failures in 15 minutes) and per address (20).
// The counts live in the database. Every attempt costs a real argon2id check, hence the time.

describe('A9: sign-in failures and throttling', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    for (const name of ['bob', 'carol', 'dave', 'erin', 'frank']) await makeUser(t, name);
  });
  afterAll(() => t.close());

  async function attempt(address: string, username: string, password: string) {
    const browser = new Browser(t.app, address);
    const form = await browser.get('/login');
    return browser.post('/login', {
      csrf_token: hiddenFields(form.body).csrf_token as string,
      username,
      password,
      return_to: '/',
    });
  }

  /** The page without what legitimately differs (the CSRF token, the echoed username). */
  const normalise = (html: string, username: string) =>
    html.replace(/value="[A-Za-z0-9_-]{40,}"/g, 'value="csrf"').replaceAll(username, 'USER');

  it('A9 an unknown user and a wrong password get the same answer, in about the same time', async () => {
    const unknown = await attempt('10.9.0.1', 'nobody-here', 'wrong password');
    const wrong = await attempt('10.9.0.2', 'bob', 'wrong password');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(normalise(unknown.body, 'nobody-here')).toBe(normalise(wrong.body, 'bob'));
    expect(unknown.body).toContain('The username or password is incorrect.');

    // The unknown-user path still spends a password hash's time (no user enumeration by timing).
    const time = async (username: string, address: string) => {
      const start = performance.now();
      await attempt(address, username, 'wrong password');
      return performance.now() - start;
    };
    const unknownTimes: number[] = [];
    const wrongTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      unknownTimes.push(await time(`ghost-${i}`, `10.9.1.${i}`));
      wrongTimes.push(await time('carol', `10.9.2.${i}`));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[1] as number;
    const ratio = median(unknownTimes) / median(wrongTimes);
    expect(ratio).toBeGreaterThan(0.33);
    expect(ratio).toBeLessThan(3);
  }, 60_000);

  it('A9 five failures lock the account, from any address; the right password is refused while locked', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await attempt(`10.10.0.${i}`, 'erin', `guess-${i}`)).statusCode).toBe(401);
    }
    const locked = await attempt('10.10.1.1', 'erin', PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toContain('Too many failed sign-in attempts');
    expect(locked.headers['set-cookie'] ?? '').not.toMatch(/Max-Age/);
    // The same for an account that does not exist: the lock tells nothing either.
    for (let i = 0; i < 5; i++) await attempt(`10.10.2.${i}`, 'ghost-erin', `guess-${i}`);
    expect((await attempt('10.10.3.1', 'ghost-erin', 'x')).statusCode).toBe(429);
    // Other accounts are not affected.
    expect((await attempt('10.10.4.1', 'carol', PASSWORD)).statusCode).toBe(303);
  }, 60_000);

  it('A9 twenty failures lock the address, whichever accounts they tried', async () => {
    const address = '10.11.0.1';
    for (let batch = 0; batch < 5; batch++) {
      const answers = await Promise.all(
        [0, 1, 2, 3].map((i) => attempt(address, `spray-${batch}-${i}`, 'Summer2026!')),
      );
      for (const answer of answers) expect(answer.statusCode).toBe(401);
    }
    expect((await attempt(address, 'dave', PASSWORD)).statusCode).toBe(429);
    expect((await attempt('10.11.0.2', 'dave', PASSWORD)).statusCode).toBe(303);
  }, 60_000);

  it('A9 a forged X-Forwarded-For does not give each guess an address of its own', async () => {
    // TRUST_PROXY is off: the address is the connection's, whatever the request claims.
    const address = '10.13.0.1';
    for (let batch = 0; batch < 5; batch++) {
      await Promise.all(
        [0, 1, 2, 3].map(async (i) => {
          const browser = new Browser(t.app, address);
          const spoof = { 'x-forwarded-for': `203.0.113.${batch * 4 + i}`, 'x-real-ip': `198.51.100.${i}` };
          const form = await browser.get('/login', spoof);
          const response = await t.app.inject({
            method: 'POST',
            url: '/login',
            remoteAddress: address,
            headers: {
              ...spoof,
              'content-type': 'application/x-www-form-urlencoded',
              cookie: [...browser.cookies].map(([n, v]) => `${n}=${v}`).join('; '),
            },
            payload: new URLSearchParams({
              csrf_token: hiddenFields(form.body).csrf_token as string,
              username: `xff-${batch}-${i}`,
              password: 'wrong',
              return_to: '/',
            }).toString(),
          });
          expect(response.statusCode).toBe(401);
        }),
      );
    }
    expect((await attempt(address, 'carol', PASSWORD)).statusCode).toBe(429);
  }, 60_000);

  it('A9 a burst of parallel guesses cannot get past the lock', async () => {
    const guesses = Array.from({ length: 24 }, (_, i) => `guess-${i}`);
    // The right password comes last in the burst: by the time it is checked, the account is locked.
    guesses.push(PASSWORD);
    const answers = await Promise.all(
      guesses.map((password, i) => attempt(`10.12.0.${i}`, 'frank', password)),
    );
    const statuses = answers.map((answer) => answer.statusCode);
    expect(statuses.at(-1), statuses.join(',')).toBe(429);
    expect(statuses.filter((status) => status === 303)).toEqual([]);
    expect((await attempt('10.12.1.1', 'frank', PASSWORD)).statusCode).toBe(429);
  }, 60_000);
});
