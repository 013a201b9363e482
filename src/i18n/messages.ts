import { DEFAULT_SCOPES, type ScopeCatalogue } from '../oauth/scopes.js';
import { de } from './de.js';
import { en, type Messages } from './en.js';
import type { Locale } from './locale.js';

const CATALOGUES: Record<Locale, Messages> = { en, de };

export function messagesFor(locale: Locale): Messages {
  return CATALOGUES[locale];
}

/** The catalogue's `{name}` placeholders filled in; the views escape the result. */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** Every string of one page's section, filled in. */
export function fillAll<T extends Record<string, unknown>>(section: T, values: Record<string, string>): T {
  return Object.fromEntries(
    Object.entries(section).map(([key, value]) => [
      key,
      typeof value === 'string' ? fill(value, values) : value,
    ]),
  ) as T;
}

/**
 * What a scope lets an app do, in the page's language. The default scopes have a sentence in each
 * catalogue; a scope an operator added (or reworded) through EXTRA_SCOPES keeps its own sentence.
 */
export function scopeSentence(locale: Locale, scope: string, catalogue: ScopeCatalogue): string {
  const configured = catalogue[scope] ?? scope;
  const translated = messagesFor(locale).scopes[scope];
  return translated !== undefined && configured === DEFAULT_SCOPES[scope] ? translated : configured;
}

/** The authorization request's English error sentence in the page's language. */
export function requestErrorSentence(locale: Locale, message: string): string {
  const messages = messagesFor(locale);
  if (locale === 'en') return message;
  const direct = messages.requestErrors[message];
  if (direct !== undefined) return direct;
  const repeated = /^The app sent "([^"]{1,100})" more than once/.exec(message);
  const template =
    messages.requestErrors['The app sent "{name}" more than once, so this request cannot be trusted.'];
  if (repeated && template) return fill(template, { name: repeated[1] as string });
  return messages.errors.requestRejected.message;
}
