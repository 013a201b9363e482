import type { FastifyReply, FastifyRequest } from 'fastify';
import { cookiesOf } from '../http/cookies.js';
import type { Messages } from './en.js';
import { LOCALES, type Locale, negotiateLocale, supported } from './locale.js';
import { messagesFor } from './messages.js';

// The language of a page, from the request: the switch (`?lang=`, then remembered in a cookie),
// `ui_locales` of an authorization request (in the query, the consent form, or the sign-in page's
// return_to), then Accept-Language.

const COOKIE = 'appointman_lang';
const ONE_YEAR = 365 * 86400;
const locales = new WeakMap<FastifyRequest, Locale>();

export function pageLocale(request: FastifyRequest): Locale {
  let locale = locales.get(request);
  if (locale === undefined) {
    const query = fields(request.query);
    const body = fields(request.body);
    locale = negotiateLocale({
      lang: query.lang,
      cookie: cookiesOf(request)[COOKIE],
      uiLocales: query.ui_locales ?? body.ui_locales ?? uiLocalesIn(query.return_to ?? body.return_to),
      acceptLanguage: request.headers['accept-language'],
    });
    locales.set(request, locale);
  }
  return locale;
}

export function pageMessages(request: FastifyRequest): Messages {
  return messagesFor(pageLocale(request));
}

export interface LanguageLink {
  code: Locale;
  name: string;
  href: string;
  current: boolean;
}

export interface LayoutLocals {
  lang: Locale;
  layout: Messages['layout'];
  languages: LanguageLink[];
}

/**
 * What the layout needs: <html lang>, its strings and the language switch, whose links lead to
 * `switchTo` (by default this page, when it was a GET) in each language.
 */
export function layoutLocals(
  request: FastifyRequest,
  reply: FastifyReply,
  switchTo: string = request.method === 'GET' ? request.url : '/',
): LayoutLocals {
  const locale = pageLocale(request);
  const chosen = supported(fields(request.query).lang);
  if (chosen !== undefined && request.method === 'GET' && cookiesOf(request)[COOKIE] !== chosen) {
    reply.setCookie(COOKIE, chosen, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: request.server.config.secure,
      maxAge: ONE_YEAR,
    });
  }
  reply.header('content-language', locale);
  return {
    lang: locale,
    layout: messagesFor(locale).layout,
    languages: LOCALES.map((code) => ({
      code,
      name: messagesFor(code).languageName,
      href: withLanguage(switchTo, code),
      current: code === locale,
    })),
  };
}

function withLanguage(path: string, locale: Locale): string {
  const url = new URL(path, 'http://localhost');
  url.searchParams.set('lang', locale);
  return `${url.pathname}${url.search}`;
}

function uiLocalesIn(returnTo: unknown): string | undefined {
  if (typeof returnTo !== 'string' || !returnTo.startsWith('/oauth/authorize?')) return undefined;
  return new URLSearchParams(returnTo.slice(returnTo.indexOf('?') + 1)).get('ui_locales') ?? undefined;
}

function fields(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
