import type { FastifyInstance } from 'fastify';
import { fillAll, scopeSentence } from '../../i18n/messages.js';
import { layoutLocals, pageLocale, pageMessages } from '../../i18n/page.js';
import { sendPageError } from '../error-handler.js';
import { connectedAppRevokeSchema, connectedAppsSchema } from '../page-schemas.js';

// "Connected apps": the apps a user has allowed, and a "Revoke" button that ends the consent and
// every grant of that user with that app, with all the tokens issued from them (as RFC 7009 §2.1
// asks of a revoked refresh token: every token of the same grant goes with it).

const SIGN_IN = `/login?${new URLSearchParams({ return_to: '/connected-apps' })}`;

export default async function connectedAppsRoutes(app: FastifyInstance) {
  const { storage, config } = app;
  const page = { config: { errors: 'page' as const } };

  app.get<{ Querystring: { revoked?: unknown } }>(
    '/connected-apps',
    { ...page, schema: connectedAppsSchema, attachValidation: true },
    async (request, reply) => {
      const user = await request.currentUser();
      if (!user) return reply.redirect(SIGN_IN);
      const locale = pageLocale(request);
      const messages = pageMessages(request).connectedApps;
      const dates = new Intl.DateTimeFormat(messages.dateLocale, {
        dateStyle: 'long',
        timeStyle: 'short',
        timeZone: 'UTC',
      });
      const apps = await storage.consents.ofUser(user.userId);

      // The confirmation names the app only once it is really gone from the list.
      const revokedId = typeof request.query.revoked === 'string' ? request.query.revoked.slice(0, 200) : '';
      const revoked =
        revokedId && !apps.some((a) => a.clientId === revokedId)
          ? await storage.clients.find(revokedId)
          : null;

      return reply.view('connected-apps.hbs', {
        ...layoutLocals(request, reply, '/connected-apps'),
        title: messages.title,
        wide: true,
        t: fillAll(messages, { app: revoked?.name ?? '' }),
        revokedName: revoked?.name,
        username: user.username,
        csrfToken: request.csrfToken(reply),
        apps: apps.map((connected) => ({
          clientId: connected.clientId,
          name: connected.clientName,
          scopes: connected.scopes.map((scope) => scopeSentence(locale, scope, config.scopes)),
          grantedAt: `${dates.format(connected.grantedAt)} UTC`,
          grantedAtIso: connected.grantedAt.toISOString(),
        })),
      });
    },
  );

  app.post<{ Body: { csrf_token?: unknown; client_id?: unknown } }>(
    '/connected-apps/revoke',
    { ...page, schema: connectedAppRevokeSchema, attachValidation: true },
    async (request, reply) => {
      const body = request.body ?? {};
      // Checklist A3: a state-changing form needs the session's CSRF token.
      if (!request.csrfValid(body.csrf_token)) {
        return sendPageError(reply, { status: 403, ...pageMessages(request).errors.revokeExpired });
      }
      const user = await request.currentUser();
      if (!user) return reply.code(303).redirect(SIGN_IN);
      const clientId = typeof body.client_id === 'string' ? body.client_id : '';
      if (clientId === '' || clientId.length > 200) {
        return sendPageError(reply, {
          status: 400,
          ...pageMessages(request).errors.badRequest,
          detail: 'client_id is missing',
        });
      }
      // Tokens first: if anything fails, the app still shows in the list and can be revoked again.
      await storage.grants.revokeAllFor(user.userId, clientId);
      await storage.consents.forget(user.userId, clientId);
      request.log.info({ clientId }, 'user revoked a connected app');
      return reply.code(303).redirect(`/connected-apps?${new URLSearchParams({ revoked: clientId })}`);
    },
  );
}
