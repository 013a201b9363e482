import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { LOCALES, type Locale, supported } from '../../i18n/locale.js';
import { messagesFor } from '../../i18n/messages.js';
import { layoutLocals, pageMessages } from '../../i18n/page.js';
import { PROJECT_ROOT } from '../../paths.js';
import {
  buttonImageSchema,
  buttonPageSchema,
  buttonRedirectSchema,
  buttonStylesheetSchema,
} from '../page-schemas.js';

// The "Connect with appointman" button for apps: an SVG image and an HTML/CSS version, both served
// from here so apps need nothing else, and a page (/button/) with the snippets to paste.

const HEIGHT = 48;
const CACHEABLE = 'public, max-age=86400';

interface ButtonImage {
  svg: string;
  width: number;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** White calendar mark and label on the accent blue (contrast 6.4:1); the label is the image's name. */
function buttonImage(label: string): ButtonImage {
  const textLength = Math.round(label.length * 9);
  const width = 50 + textLength + 18;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" role="img" aria-labelledby="label">
<title id="label">${escapeXml(label)}</title>
<rect width="${width}" height="${HEIGHT}" rx="8" fill="#0b57d0"/>
<g fill="none" stroke="#fff" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
<rect x="16" y="14" width="20" height="20" rx="3"/>
<path d="M16 20h20M21 11v5M31 11v5M21.5 27.5l3 3 6-6"/>
</g>
<text x="50" y="29.5" fill="#fff" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif" font-size="16" font-weight="600" textLength="${textLength}" lengthAdjust="spacingAndGlyphs">${escapeXml(label)}</text>
</svg>
`;
  return { svg, width };
}

export default async function buttonRoutes(app: FastifyInstance) {
  const { config } = app;
  const stylesheet = readFileSync(join(PROJECT_ROOT, 'views', 'assets', 'connect-button.css'));
  const images = Object.fromEntries(
    LOCALES.map((locale) => [locale, buttonImage(messagesFor(locale).button.label)]),
  ) as Record<Locale, ButtonImage>;
  const imagePath = (locale: Locale) =>
    `/button/connect-with-appointman.svg${locale === 'en' ? '' : `?lang=${locale}`}`;

  app.get<{ Querystring: { lang?: unknown } }>(
    '/button/connect-with-appointman.svg',
    { schema: buttonImageSchema, attachValidation: true },
    async (request, reply) =>
      reply
        .header('content-type', 'image/svg+xml; charset=utf-8')
        .header('cache-control', CACHEABLE)
        // Other sites show it: let them embed it even when they isolate themselves (COEP).
        .header('cross-origin-resource-policy', 'cross-origin')
        .send(images[supported(request.query.lang) ?? 'en'].svg),
  );

  app.get('/button/connect.css', { schema: buttonStylesheetSchema }, async (_request, reply) =>
    reply
      .header('content-type', 'text/css; charset=utf-8')
      .header('cache-control', CACHEABLE)
      .header('cross-origin-resource-policy', 'cross-origin')
      .send(stylesheet),
  );

  app.get('/button', { schema: buttonRedirectSchema }, async (_request, reply) => reply.redirect('/button/'));

  const pageOptions = {
    config: { errors: 'page' as const },
    schema: buttonPageSchema,
    attachValidation: true,
  };
  app.get('/button/', pageOptions, async (request, reply) => {
    const locals = layoutLocals(request, reply);
    const t = pageMessages(request).button;
    const image = images[locals.lang];
    const href = '/login/appointman';
    return reply.view('button.hbs', {
      ...locals,
      title: t.title,
      t,
      stylesheet: '/button/connect.css',
      wide: true,
      svgPath: imagePath(locals.lang),
      svgWidth: image.width,
      cssSnippet: `<link rel="stylesheet" href="${config.issuer}/button/connect.css">\n<a class="appointman-connect" href="${href}">${t.label}</a>`,
      svgSnippet: `<a href="${href}"><img src="${config.issuer}${imagePath(locals.lang)}" alt="${t.label}" width="${image.width}" height="${HEIGHT}"></a>`,
    });
  });
}
