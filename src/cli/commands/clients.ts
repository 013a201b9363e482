import {
  type ClientView,
  createClient,
  deleteClient,
  listClients,
  rotateClientSecret,
  showClient,
} from '../../admin/clients.js';
import { commaList, parse, spaceList, UsageError } from '../args.js';
import type { CommandGroup } from '../command.js';
import type { CliContext } from '../context.js';

const json = { json: { type: 'boolean' } } as const;

export const clientCommands: CommandGroup = {
  create: {
    usage: `clients create --name <text> [--description <text>] --redirect-uri <uri> (repeatable)
    [--grant-types <comma-separated from authorization_code,refresh_token,implicit,client_credentials>]
    [--scopes "<space-separated>"] [--public] [--admin] [--owner <username>] [--accounts all|<id,id,…>] [--json]
  Registers a client app. A confidential client's secret is printed once and never again.
  Default grant types: authorization_code,refresh_token. --admin lets the client hold the admin scope.`,
    async run(ctx, argv) {
      const { values } = parse(argv, {
        name: { type: 'string' },
        description: { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        'grant-types': { type: 'string' },
        scopes: { type: 'string' },
        public: { type: 'boolean' },
        admin: { type: 'boolean' },
        owner: { type: 'string' },
        accounts: { type: 'string' },
        ...json,
      });
      if (values.name === undefined) throw new UsageError('--name is required');
      const storage = await ctx.storage();
      const { client, secret } = await createClient(
        { storage, scopes: ctx.config.scopes },
        {
          name: values.name,
          description: values.description,
          redirectUris: values['redirect-uri'],
          grantTypes: values['grant-types'] === undefined ? undefined : commaList(values['grant-types']),
          scopes: values.scopes === undefined ? undefined : spaceList(values.scopes),
          public: values.public,
          admin: values.admin,
          owner: values.owner,
          accounts: values.accounts === undefined ? undefined : parseAccounts(values.accounts),
        },
      );
      if (values.json) {
        ctx.json({
          client_id: client.client_id,
          ...(secret === undefined ? {} : { client_secret: secret }),
          name: client.name,
          redirect_uris: client.redirect_uris,
          grant_types: client.grant_types,
          scopes: client.scopes,
          public: client.public,
        });
        return;
      }
      ctx.out(`Created client "${client.name}".`);
      ctx.out(`client_id:     ${client.client_id}`);
      if (secret !== undefined) {
        ctx.out(`client_secret: ${secret}`);
        ctx.out(
          'Store the secret now: it is shown this once and cannot be recovered (use rotate-secret to replace it).',
        );
      } else {
        ctx.out('This is a public client: it has no secret and must use PKCE.');
      }
    },
  },

  list: {
    usage: `clients list [--json]
  Lists the registered clients (never their secrets).`,
    async run(ctx, argv) {
      const { values } = parse(argv, json);
      const clients = await listClients({ storage: await ctx.storage(), scopes: ctx.config.scopes });
      if (values.json) return ctx.json(clients);
      if (clients.length === 0) return ctx.out('No clients.');
      for (const client of clients) {
        ctx.out(`${client.client_id}  ${client.public ? 'public      ' : 'confidential'}  ${client.name}`);
      }
    },
  },

  show: {
    usage: `clients show <client_id> [--json]
  Shows one client (never its secret).`,
    async run(ctx, argv) {
      const { values, positionals } = parse(argv, json, 1);
      const client = await showClient(
        { storage: await ctx.storage(), scopes: ctx.config.scopes },
        positionals[0] ?? '',
      );
      if (values.json) return ctx.json(client);
      printClient(ctx, client);
    },
  },

  delete: {
    usage: `clients delete <client_id>
  Deletes a client; its codes and tokens stop working at once.`,
    async run(ctx, argv) {
      const { positionals } = parse(argv, {}, 1);
      const clientId = positionals[0] ?? '';
      await deleteClient({ storage: await ctx.storage(), scopes: ctx.config.scopes }, clientId);
      ctx.out(`Deleted client ${clientId}.`);
    },
  },

  'rotate-secret': {
    usage: `clients rotate-secret <client_id> [--json]
  Replaces a confidential client's secret; the old one stops working at once. The new one is shown once.`,
    async run(ctx, argv) {
      const { values, positionals } = parse(argv, json, 1);
      const { client, secret } = await rotateClientSecret(
        { storage: await ctx.storage(), scopes: ctx.config.scopes },
        positionals[0] ?? '',
      );
      if (values.json) return ctx.json({ client_id: client.client_id, client_secret: secret });
      ctx.out(`client_id:     ${client.client_id}`);
      ctx.out(`client_secret: ${secret}`);
      ctx.out('Store the secret now: it is shown this once. The previous secret no longer works.');
    },
  },
};

function parseAccounts(value: string): 'all' | string[] {
  if (value === 'all') return 'all';
  const ids = commaList(value);
  if (ids.length === 0)
    throw new UsageError('--accounts takes "all" or a comma-separated list of account ids');
  return ids;
}

function printClient(ctx: CliContext, client: ClientView): void {
  ctx.out(`client_id:     ${client.client_id}`);
  ctx.out(`name:          ${client.name}`);
  if (client.description) ctx.out(`description:   ${client.description}`);
  ctx.out(`type:          ${client.public ? 'public' : 'confidential'}${client.admin ? ', admin' : ''}`);
  ctx.out(`redirect_uris: ${client.redirect_uris.join(' ') || '(none)'}`);
  ctx.out(`grant_types:   ${client.grant_types.join(',')}`);
  ctx.out(`scopes:        ${client.scopes.join(' ')}`);
  ctx.out(`owner:         ${client.owner ?? '(none)'}`);
  ctx.out(`accounts:      ${client.accounts === 'all' ? 'all' : client.accounts.join(',')}`);
  ctx.out(`created_at:    ${client.created_at}`);
}
