import { createHmac } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hashSecret, randomSecret, safeEqual } from '../../security/secrets.js';
import type { Storage } from '../../storage/index.js';
import type { SessionUser } from '../../storage/sessions.js';
import { cookiesOf } from '../cookies.js';

// Browser sessions, kept in the database so any instance behind a load balancer can serve any
// request. The cookie holds 256 random bits; the database only their hash. Before sign-in the same
// cookie carries a random value that binds the CSRF token of the sign-in form (checklist A3).

export interface SessionOptions {
  storage: Storage;
  secret: string;
  secure: boolean;
  lifetimeSeconds: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, or null. Looked up once per request. */
    currentUser(): Promise<SessionUser | null>;
    /** The CSRF token for forms on this page; sets the session cookie if there is none yet. */
    csrfToken(reply: FastifyReply): string;
    /** Whether a submitted CSRF token belongs to this browser's session. */
    csrfValid(token: unknown): boolean;
  }
  interface FastifyReply {
    signIn(userId: string): Promise<void>;
    signOut(): Promise<void>;
  }
}

export default fp(
  async function sessions(app: FastifyInstance, options: SessionOptions) {
    // No parsing hook: pages parse cookies when they ask (cookies.ts).
    await app.register(cookie, { hook: false });
    const name = options.secure ? '__Host-appointman_session' : 'appointman_session';
    const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: options.secure };
    const csrfFor = (sessionId: string) =>
      createHmac('sha256', options.secret).update(`csrf:${sessionId}`).digest('base64url');
    const sessionIdOf = (request: FastifyRequest): string | undefined => {
      const value = cookiesOf(request)[name];
      return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
    };
    const users = new WeakMap<FastifyRequest, Promise<SessionUser | null>>();

    app.decorateRequest('currentUser', function currentUser(this: FastifyRequest) {
      let user = users.get(this);
      if (!user) {
        const sessionId = sessionIdOf(this);
        user = sessionId ? options.storage.sessions.find(hashSecret(sessionId)) : Promise.resolve(null);
        users.set(this, user);
      }
      return user;
    });

    app.decorateRequest('csrfToken', function csrfToken(this: FastifyRequest, reply: FastifyReply) {
      let sessionId = sessionIdOf(this);
      if (!sessionId) {
        sessionId = randomSecret();
        reply.setCookie(name, sessionId, cookieOptions);
        cookiesOf(this)[name] = sessionId;
      }
      return csrfFor(sessionId);
    });

    app.decorateRequest('csrfValid', function csrfValid(this: FastifyRequest, token: unknown) {
      const sessionId = sessionIdOf(this);
      return sessionId !== undefined && typeof token === 'string' && safeEqual(token, csrfFor(sessionId));
    });

    // A new session id at sign-in, so one planted before cannot be ridden (session fixation).
    app.decorateReply('signIn', async function signIn(this: FastifyReply, userId: string) {
      const old = sessionIdOf(this.request);
      if (old) await options.storage.sessions.delete(hashSecret(old));
      const sessionId = randomSecret();
      await options.storage.sessions.create({
        idHash: hashSecret(sessionId),
        userId,
        expiresAt: new Date(Date.now() + options.lifetimeSeconds * 1000),
      });
      this.setCookie(name, sessionId, { ...cookieOptions, maxAge: options.lifetimeSeconds });
    });

    app.decorateReply('signOut', async function signOut(this: FastifyReply) {
      const old = sessionIdOf(this.request);
      if (old) await options.storage.sessions.delete(hashSecret(old));
      this.setCookie(name, randomSecret(), cookieOptions);
    });
  },
  { name: 'sessions' },
);
