import { join } from 'node:path';
import view from '@fastify/view';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import handlebars from 'handlebars';
import type { Config } from './config.js';
import { installErrorHandler } from './http/error-handler.js';
import { AccessLog, loggerOptions } from './http/logging.js';
import bodyParsers from './http/plugins/body-parsers.js';
import securityHeaders from './http/plugins/security-headers.js';
import sessions from './http/plugins/session.js';
import { requestLoggerFactory } from './http/request-logger.js';
import adminRoutes from './http/routes/admin.js';
import apiRoutes from './http/routes/api.js';
import assetRoutes from './http/routes/assets.js';
import authorizeRoutes from './http/routes/authorize.js';
import buttonRoutes from './http/routes/button.js';
import connectedAppsRoutes from './http/routes/connected-apps.js';
import healthRoutes from './http/routes/health.js';
import homeRoutes from './http/routes/home.js';
import introspectRoutes from './http/routes/introspect.js';
import loginRoutes from './http/routes/login.js';
import metadataRoutes from './http/routes/metadata.js';
import openapiRoutes from './http/routes/openapi.js';
import revokeRoutes from './http/routes/revoke.js';
import tokenRoutes from './http/routes/token.js';
import { PROJECT_ROOT } from './paths.js';
import type { Storage } from './storage/index.js';

export interface AppOptions {
  config: Config;
  storage: Storage;
  /** Overrides the logger (tests capture log lines). */
  logger?: FastifyServerOptions['logger'];
  loggerInstance?: FastifyServerOptions['loggerInstance'];
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    storage: Storage;
  }
}

/** Builds the whole server: external plugins, then ours, then the routes. Listening is main.ts's job. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, storage } = options;
  const app = Fastify({
    ...(options.loggerInstance
      ? { loggerInstance: options.loggerInstance }
      : { logger: options.logger ?? loggerOptions({ level: config.logLevel, asynchronous: true }) }),
    // One access line per request instead of Fastify's two (logging.ts).
    logController: new AccessLog(),
    // Request ids are Fastify's own counter, never a client's header (request-logger.ts relies on it).
    requestIdHeader: false,
    // Each request's logger is made only when the request logs more than its access line.
    childLoggerFactory: requestLoggerFactory,
    bodyLimit: 64 * 1024,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    requestTimeout: 30_000,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    // Route schemas validate as written: no silent type coercion or removal of unknown properties.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  });
  app.decorate('config', config);
  app.decorate('storage', storage);

  // Declared here so that @fastify/view adds no hook giving every request, API calls too, an empty
  // `reply.locals` (no route of ours uses it).
  app.decorateReply('locals', null);
  await app.register(view, {
    engine: { handlebars: handlebars.create() },
    root: join(PROJECT_ROOT, 'views'),
    layout: 'layout.hbs',
    production: config.production,
  });
  await app.register(bodyParsers);
  await app.register(securityHeaders, { hsts: config.secure });
  await app.register(sessions, {
    storage,
    secret: config.sessionSecret,
    secure: config.secure,
    lifetimeSeconds: config.sessionLifetime,
  });

  installErrorHandler(app, async () => {
    try {
      await storage.database.ping();
      return true;
    } catch {
      return false;
    }
  });

  // Before the routes: it collects their schemas into the OpenAPI description.
  await app.register(openapiRoutes);
  await app.register(healthRoutes);
  await app.register(assetRoutes);
  await app.register(metadataRoutes);
  await app.register(homeRoutes);
  await app.register(loginRoutes);
  await app.register(authorizeRoutes);
  await app.register(tokenRoutes);
  await app.register(revokeRoutes);
  await app.register(introspectRoutes);
  await app.register(apiRoutes);
  await app.register(adminRoutes);
  await app.register(connectedAppsRoutes);
  await app.register(buttonRoutes);
  return app;
}
