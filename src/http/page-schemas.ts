import type { FastifySchema } from 'fastify';
import { FORM_OR_JSON, htmlResponse, redirectResponse } from './schemas.js';

// Schemas of the browser-facing routes (authorization endpoint, sign-in), for validation and the
// OpenAPI description. These routes answer with pages and redirects, and their handlers check every
// parameter themselves: a repeated or malformed one decides between an error page and an error
// redirect (RFC 6749 §4.1.2.1), so the schema's verdict is attached, not answered by itself.

const text = (description: string) => ({ type: 'string', description }) as const;

/** RFC 6749 §4.1.1, §4.2.1; RFC 7636 §4.3. Unknown parameters are ignored. */
const authorizationParameters = {
  type: 'object',
  properties: {
    response_type: { type: 'string', enum: ['code', 'token'], description: 'code, or token (implicit).' },
    client_id: text('The client id.'),
    redirect_uri: text('One of the client’s registered redirect URIs (required when it has several).'),
    scope: text('Space-separated scopes; by default all the client may ask for.'),
    state: text('Returned unchanged in the response.'),
    code_challenge: text('PKCE (RFC 7636): BASE64URL(SHA256(code_verifier)), 43 to 128 characters.'),
    code_challenge_method: { type: 'string', enum: ['S256'], description: 'Only S256 (plain is refused).' },
    ui_locales: text('Preferred languages of the pages (en, de), space-separated.'),
  },
} as const;

const pageErrors = {
  400: htmlResponse('An error page: the request cannot be trusted, so nothing is sent back to the app.'),
  500: htmlResponse('An error page: an unexpected failure.'),
  503: htmlResponse('An error page: the database cannot be reached.'),
} as const;

const authorizationResponses = {
  200: htmlResponse('The consent page: Allow or Deny.'),
  302: redirectResponse(
    'To the app’s redirect URI with code (or token in the fragment), or an error; always with iss and ' +
      'the request’s state (RFC 9207). Or to /login when nobody is signed in.',
  ),
  ...pageErrors,
} as const;

export const authorizeGetSchema: FastifySchema = {
  tags: ['OAuth'],
  summary: 'Authorization endpoint (RFC 6749 §3.1)',
  description: 'Opened in the user’s browser. Signs the user in if needed, then asks for consent.',
  querystring: authorizationParameters,
  response: authorizationResponses,
};

export const authorizePostSchema: FastifySchema = {
  tags: ['OAuth'],
  summary: 'Authorization endpoint, form post (RFC 6749 §3.1)',
  description: 'The same as GET, with the parameters in a form body.',
  consumes: FORM_OR_JSON,
  body: authorizationParameters,
  response: authorizationResponses,
};

export const decisionSchema: FastifySchema = {
  tags: ['Pages'],
  summary: 'The consent page’s answer',
  description: 'Posted by the consent page: the request’s parameters again, the CSRF token and the decision.',
  consumes: ['application/x-www-form-urlencoded'],
  body: {
    type: 'object',
    properties: {
      ...authorizationParameters.properties,
      csrf_token: text('The consent form’s CSRF token.'),
      decision: { type: 'string', enum: ['allow', 'deny'], description: 'The button pressed.' },
    },
  },
  response: {
    303: redirectResponse('To the app, with the code or token, or error=access_denied (and iss, state).'),
    403: htmlResponse('The form expired (CSRF token missing or wrong): nothing was shared.'),
    ...pageErrors,
  },
};

export const loginPageSchema: FastifySchema = {
  tags: ['Pages'],
  summary: 'The sign-in page',
  querystring: {
    type: 'object',
    properties: {
      return_to: text('Where to go after signing in (only this server’s own pages).'),
      lang: text('The page language (en, de).'),
    },
  },
  response: { 200: htmlResponse('The sign-in form.'), ...pageErrors },
};

export const loginSchema: FastifySchema = {
  tags: ['Pages'],
  summary: 'Sign in',
  description: 'Repeated failures lock the account and the address for a while (checklist A9).',
  consumes: ['application/x-www-form-urlencoded'],
  body: {
    type: 'object',
    properties: {
      username: text('The username.'),
      password: text('The password.'),
      csrf_token: text('The sign-in form’s CSRF token.'),
      return_to: text('Where to go after signing in.'),
    },
  },
  response: {
    303: redirectResponse('Signed in: on to return_to.'),
    400: htmlResponse('The form again: username or password missing.'),
    401: htmlResponse('The form again: the username or password is incorrect.'),
    403: htmlResponse('The form again: it expired (CSRF).'),
    429: htmlResponse('The form again: too many failed attempts; wait a few minutes.'),
    500: pageErrors[500],
    503: pageErrors[503],
  },
};

export const logoutSchema: FastifySchema = {
  tags: ['Pages'],
  summary: 'Sign out',
  consumes: ['application/x-www-form-urlencoded'],
  body: { type: 'object', properties: { csrf_token: text('The CSRF token of the page the form is on.') } },
  response: {
    200: htmlResponse('Signed out.'),
    403: htmlResponse('The form expired (CSRF): still signed in.'),
    500: pageErrors[500],
    503: pageErrors[503],
  },
};

const cacheableAsset = (description: string, contentType: string) => ({
  description,
  content: { [contentType]: { schema: { type: 'string' } } },
});

export const buttonImageSchema: FastifySchema = {
  tags: ['Pages'],
  summary: 'The “Connect with appointman” button as an SVG image',
  querystring: { type: 'object', properties: { lang: text('The label’s language (en, de). Default en.') } },
  response: { 200: cacheableAsset('The image.', 'image/svg+xml') },
};

export const buttonStylesheetSchema: FastifySchema = {
  tags: ['Pages'],
  summary: 'The stylesheet of the HTML/CSS “Connect with appointman” button',
  response: { 200: cacheableAsset('CSS.', 'text/css') },
};

export const buttonRedirectSchema: FastifySchema = {
  tags: ['Pages'],
  summary: 'To the button page',
  response: { 302: redirectResponse('To /button/.') },
};

export const buttonPageSchema: FastifySchema = {
  tags: ['Pages'],
  summary: 'The “Connect with appointman” button: the snippets for app developers to paste',
  querystring: { type: 'object', properties: { lang: text('The page language (en, de).') } },
  response: { 200: htmlResponse('The page.') },
};

export const homeSchema: FastifySchema = {
  tags: ['Pages'],
  summary: 'The home page: who is signed in, and where to go',
  querystring: { type: 'object', properties: { lang: text('The page language (en, de).') } },
  response: { 200: htmlResponse('The home page.'), 500: pageErrors[500], 503: pageErrors[503] },
};

export const connectedAppsSchema: FastifySchema = {
  tags: ['Pages'],
  summary: 'Connected apps: the apps the signed-in user has allowed',
  querystring: {
    type: 'object',
    properties: {
      revoked: text('The client id just revoked, for the confirmation.'),
      lang: text('The page language (en, de).'),
    },
  },
  response: {
    200: htmlResponse('The list, each app with a Revoke button.'),
    302: redirectResponse('To /login when nobody is signed in.'),
    500: pageErrors[500],
    503: pageErrors[503],
  },
};

export const connectedAppRevokeSchema: FastifySchema = {
  tags: ['Pages'],
  summary: 'Revoke a connected app: its consent and every grant and token of it',
  consumes: ['application/x-www-form-urlencoded'],
  body: {
    type: 'object',
    properties: {
      csrf_token: text('The page’s CSRF token.'),
      client_id: text('The app to revoke.'),
    },
  },
  response: {
    303: redirectResponse('Back to /connected-apps with a confirmation, or to /login when signed out.'),
    400: htmlResponse('An error page: client_id is missing.'),
    403: htmlResponse('An error page: the form expired (CSRF); nothing was revoked.'),
    500: pageErrors[500],
    503: pageErrors[503],
  },
};
