// Which language a page speaks. In order: the page's language switch (`lang`, remembered in a
// cookie), the app's `ui_locales` (OpenID Connect Core §3.1.2.1), the browser's Accept-Language
// (RFC 9110 §12.5.4), then English.

export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export interface LocaleHints {
  /** The `lang` query parameter of the language switch. */
  lang?: unknown;
  /** The language remembered from an earlier switch. */
  cookie?: unknown;
  /** `ui_locales`: space-separated BCP 47 tags, most preferred first. */
  uiLocales?: unknown;
  acceptLanguage?: unknown;
}

export function negotiateLocale(hints: LocaleHints): Locale {
  return (
    supported(hints.lang) ??
    supported(hints.cookie) ??
    fromUiLocales(hints.uiLocales) ??
    fromAcceptLanguage(hints.acceptLanguage) ??
    DEFAULT_LOCALE
  );
}

/** A tag we speak ("de", "de-AT", "EN-gb" …), reduced to its primary language. */
export function supported(tag: unknown): Locale | undefined {
  if (typeof tag !== 'string' || tag.length > 35) return undefined;
  const primary = tag.trim().split('-')[0]?.toLowerCase();
  return LOCALES.find((locale) => locale === primary);
}

export function fromUiLocales(value: unknown): Locale | undefined {
  if (typeof value !== 'string' || value.length > 200) return undefined;
  for (const tag of value.split(' ')) {
    const locale = supported(tag);
    if (locale) return locale;
  }
  return undefined;
}

/** RFC 9110 §12.5.4: the highest q wins; ties keep the header's order; q=0 means "not this one". */
export function fromAcceptLanguage(header: unknown): Locale | undefined {
  if (typeof header !== 'string' || header.length > 500) return undefined;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...parameters] = part.split(';').map((s) => s.trim());
      const q = parameters.find((p) => /^q=/i.test(p));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { tag, weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((entry) => entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const entry of ranked) {
    const locale = supported(entry.tag);
    if (locale) return locale;
  }
  return undefined;
}
