import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Messages } from '../../i18n/en.js';
import { layoutLocals, pageMessages } from '../../i18n/page.js';
import { verifyAgainstNothing, verifyPassword } from '../../security/passwords.js';
import type { ThrottlePolicy } from '../../storage/throttle.js';
import { sendPageError } from '../error-handler.js';
import { loginPageSchema, loginSchema, logoutSchema } from '../page-schemas.js';

/** Checklist A9 and RFC 6819 §4.4.3.6: online guessing slows down per account and per address. */
const PER_ACCOUNT: ThrottlePolicy = { limit: 5, windowSeconds: 900, lockSeconds: 60, maxLockSeconds: 900 };
const PER_ADDRESS: ThrottlePolicy = { limit: 20, windowSeconds: 900, lockSeconds: 60, maxLockSeconds: 900 };

/** Only our own pages: never an open redirect. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string') return '/';
  // What we build is percent-encoded ASCII; anything else cannot go in a Location header (a 500 before).
  if (!/^[\x21-\x7e]+$/.test(value)) return '/';
  if (value.startsWith('/oauth/authorize?') || value === '/connected-apps' || value === '/') return value;
  return '/';
}

interface LoginBody {
  username?: unknown;
  password?: unknown;
  csrf_token?: unknown;
  return_to?: unknown;
}

export default async function loginRoutes(app: FastifyInstance) {
  const { storage } = app;

  async function appNameFor(returnTo: string): Promise<string | undefined> {
    const clientId = new URLSearchParams(returnTo.split('?')[1] ?? '').get('client_id');
    if (!clientId || clientId.length > 200) return undefined;
    return (await storage.clients.find(clientId))?.name;
  }

  async function showForm(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    returnTo: string,
    extra: { error?: keyof Messages['login']['errors']; username?: string } = {},
  ) {
    const t = pageMessages(request).login;
    return reply.code(status).view('login.hbs', {
      ...layoutLocals(request, reply, `/login?${new URLSearchParams({ return_to: returnTo })}`),
      title: t.title,
      t,
      csrfToken: request.csrfToken(reply),
      returnTo,
      appName: await appNameFor(returnTo),
      username: extra.username,
      error: extra.error === undefined ? undefined : t.errors[extra.error],
    });
  }

  app.get<{ Querystring: { return_to?: unknown } }>(
    '/login',
    { config: { errors: 'page' }, attachValidation: true, schema: loginPageSchema },
    async (request, reply) => {
      return showForm(request, reply, 200, safeReturnTo(request.query.return_to));
    },
  );

  // The handlers check every field themselves: the schemas' verdicts are attached, not answered.
  const loginOptions = { config: { errors: 'page' as const }, attachValidation: true, schema: loginSchema };
  app.post<{ Body: LoginBody }>('/login', loginOptions, async (request, reply) => {
    const body = request.body ?? {};
    const returnTo = safeReturnTo(body.return_to);
    if (!request.csrfValid(body.csrf_token)) {
      return showForm(request, reply, 403, returnTo, {
        error: 'expired',
      });
    }
    if (typeof body.username !== 'string' || typeof body.password !== 'string' || body.username === '') {
      return showForm(request, reply, 400, returnTo, { error: 'missing' });
    }
    const username = body.username.slice(0, 200);
    const keys = [`user:${username.toLowerCase()}`, `ip:${request.ip}`];
    const locks = await Promise.all(keys.map((key) => storage.throttle.lockedUntil(key)));
    if (locks.some((lock) => lock !== null)) {
      return showForm(request, reply, 429, returnTo, {
        error: 'throttled',
        username,
      });
    }

    const credentials = await storage.users.findCredentials(username);
    const valid = credentials
      ? await verifyPassword(credentials.passwordHash, body.password)
      : await verifyAgainstNothing(body.password);
    // Checklist A9: guesses sent all at once pass the check above together. Each answer follows the
    // lock as it stands after its own password check, so once the burst has locked the account (or
    // address) a right guess looks like any other: 429, no session.
    const lockedNow = await Promise.all(keys.map((key) => storage.throttle.lockedUntil(key)));
    if (lockedNow.some((lock) => lock !== null)) {
      return showForm(request, reply, 429, returnTo, {
        error: 'throttled',
        username,
      });
    }
    if (!credentials || !valid) {
      await storage.throttle.recordFailure(keys[0] as string, PER_ACCOUNT);
      await storage.throttle.recordFailure(keys[1] as string, PER_ADDRESS);
      // The same words whether or not the user exists (checklist A9).
      return showForm(request, reply, 401, returnTo, {
        error: 'incorrect',
        username,
      });
    }
    await storage.throttle.clear(keys[0] as string);
    await reply.signIn(credentials.id);
    return reply.code(303).redirect(returnTo);
  });

  app.post<{ Body: { csrf_token?: unknown } }>(
    '/logout',
    { config: { errors: 'page' }, attachValidation: true, schema: logoutSchema },
    async (request, reply) => {
      if (!request.csrfValid(request.body?.csrf_token)) {
        return sendPageError(reply, { status: 403, ...pageMessages(request).errors.logoutExpired });
      }
      await reply.signOut();
      const t = pageMessages(request).signedOut;
      return reply.view('signed-out.hbs', { ...layoutLocals(request, reply, '/'), title: t.title, t });
    },
  );
}
