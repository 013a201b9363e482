import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fillAll, requestErrorSentence, scopeSentence } from '../../i18n/messages.js';
import { layoutLocals, pageLocale, pageMessages } from '../../i18n/page.js';
import {
  AUTHORIZATION_PARAMETERS,
  buildRedirect,
  type RawParameters,
  type ValidAuthorizationRequest,
  validateAuthorizationRequest,
} from '../../oauth/authorization-request.js';
import { createAuthorizationResponder } from '../../oauth/authorization-response.js';
import { isSubset } from '../../oauth/scopes.js';
import { sendPageError } from '../error-handler.js';
import { authorizeGetSchema, authorizePostSchema, decisionSchema } from '../page-schemas.js';
import { contentSecurityPolicy } from '../plugins/security-headers.js';

// The authorization endpoint (RFC 6749 §3.1): GET, or POST with a form body, then sign-in and
// consent. The consent form posts the request's parameters back, and they are validated again.

export default async function authorizeRoutes(app: FastifyInstance) {
  const { storage, config } = app;
  const responder = createAuthorizationResponder(storage, config);
  const page = { config: { errors: 'page' as const } };

  async function validate(raw: RawParameters) {
    return validateAuthorizationRequest(raw, (id) => storage.clients.find(id), config.scopes);
  }

  /** Validation outcomes other than a valid request: an error page, or an error sent back to the app. */
  function refuse(
    reply: FastifyReply,
    result: Exclude<Awaited<ReturnType<typeof validate>>, { kind: 'valid' }>,
    status = 302,
  ) {
    if (result.kind === 'error-page') {
      const locale = pageLocale(reply.request);
      return sendPageError(reply, {
        status: 400,
        ...pageMessages(reply.request).errors.requestRejected,
        message: requestErrorSentence(locale, result.message),
      });
    }
    const target = buildRedirect(
      result.redirectUri,
      { error: result.error, error_description: result.description, state: result.state, iss: config.issuer },
      result.inFragment,
    );
    return reply.code(status).redirect(target);
  }

  async function authorize(request: FastifyRequest, reply: FastifyReply, raw: RawParameters) {
    const result = await validate(raw);
    if (result.kind !== 'valid') return refuse(reply, result);
    const authorization = result.request;

    const user = await request.currentUser();
    if (!user) {
      const returnTo = `/oauth/authorize?${new URLSearchParams(authorization.parameters as Record<string, string>)}`;
      return reply.redirect(`/login?${new URLSearchParams({ return_to: returnTo })}`);
    }

    // Checklist A7: only a confidential client using the code flow may skip a consent already given.
    if (authorization.responseType === 'code' && !authorization.client.isPublic) {
      const granted = await storage.consents.scopesFor(user.userId, authorization.client.id);
      if (granted && isSubset(authorization.scopes, granted)) {
        return reply.redirect(await responder.approve(authorization, user.userId));
      }
    }
    return showConsent(request, reply, authorization, user.username);
  }

  function showConsent(
    request: FastifyRequest,
    reply: FastifyReply,
    authorization: ValidAuthorizationRequest,
    username: string,
  ) {
    // The decision's redirect must be allowed as a form target (CSP form-action applies to redirects).
    const target = new URL(authorization.redirectUri);
    const targetSource =
      target.protocol === 'http:' || target.protocol === 'https:' ? target.origin : target.protocol;
    reply.header('content-security-policy', contentSecurityPolicy(["'self'", targetSource]));
    const locale = pageLocale(request);
    const t = fillAll(pageMessages(request).consent, { app: authorization.client.name, user: username });
    const parameters = authorization.parameters as Record<string, string>;
    return reply.view('consent.hbs', {
      ...layoutLocals(request, reply, `/oauth/authorize?${new URLSearchParams(parameters)}`),
      title: t.title,
      t,
      clientName: authorization.client.name,
      clientDescription: authorization.client.description,
      username,
      redirectHost: target.host || target.protocol,
      scopes: authorization.scopes.map((name) => scopeSentence(locale, name, config.scopes)),
      parameters: Object.entries(authorization.parameters).map(([name, value]) => ({ name, value })),
      csrfToken: request.csrfToken(reply),
    });
  }

  // The handler checks every parameter itself (repeated ones included): the schema's verdict is attached.
  const described = (schema: typeof authorizeGetSchema) => ({ ...page, attachValidation: true, schema });

  app.get('/oauth/authorize', described(authorizeGetSchema), (request, reply) =>
    authorize(request, reply, request.query as RawParameters),
  );

  app.post('/oauth/authorize', described(authorizePostSchema), (request, reply) =>
    authorize(request, reply, (request.body ?? {}) as RawParameters),
  );

  app.post('/oauth/authorize/decision', described(decisionSchema), async (request, reply) => {
    const body = (request.body ?? {}) as RawParameters;
    if (!request.csrfValid(body.csrf_token)) {
      return sendPageError(reply, { status: 403, ...pageMessages(request).errors.consentExpired });
    }
    const result = await validate(body);
    // A5: after the consent POST the browser goes on with 303, never 307 (RFC 9700 §4.11).
    if (result.kind !== 'valid') return refuse(reply, result, 303);
    const authorization = result.request;
    const user = await request.currentUser();
    if (!user) {
      const raw = Object.fromEntries(
        AUTHORIZATION_PARAMETERS.flatMap((n) => (typeof body[n] === 'string' ? [[n, body[n]]] : [])),
      );
      const returnTo = `/oauth/authorize?${new URLSearchParams(raw as Record<string, string>)}`;
      return reply.code(303).redirect(`/login?${new URLSearchParams({ return_to: returnTo })}`);
    }
    if (body.decision === 'deny') return reply.code(303).redirect(responder.deny(authorization));
    if (body.decision !== 'allow') {
      return sendPageError(reply, { status: 400, ...pageMessages(request).errors.noDecision });
    }
    const granted = (await storage.consents.scopesFor(user.userId, authorization.client.id)) ?? [];
    await storage.consents.remember(user.userId, authorization.client.id, [
      ...new Set([...granted, ...authorization.scopes]),
    ]);
    return reply.code(303).redirect(await responder.approve(authorization, user.userId));
  });
}
