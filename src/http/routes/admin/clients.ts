import type { FastifyInstance } from 'fastify';
import {
  type ClientInput,
  type ClientUpdate,
  createClient,
  deleteClient,
  listClients,
  rotateClientSecret,
  showClient,
  updateClient,
} from '../../../admin/clients.js';
import { adminFailureResponses, notFoundResponse } from './errors.js';

// /admin/v1/clients: the operations of `cli clients`, over HTTP, through the same src/admin code.

const stringList = (description: string) =>
  ({ type: 'array', items: { type: 'string' }, description }) as const;

const accountsSchema = {
  description: '"all" of the owner’s accounts, or a list of account ids the client may reach.',
  anyOf: [
    { type: 'string', enum: ['all'] },
    { type: 'array', items: { type: 'string' } },
  ],
} as const;

const editable = {
  name: { type: 'string', description: 'Shown to users on the consent page (1 to 200 characters).' },
  description: { type: 'string', description: 'Shown on the consent page (up to 1000 characters).' },
  redirect_uris: stringList(
    'Exact redirect URIs (https, or http on a loopback address, or a native app scheme). ' +
      'Needed for authorization_code and implicit.',
  ),
  grant_types: stringList(
    'From authorization_code, refresh_token, implicit, client_credentials. ' +
      'Default: authorization_code, refresh_token.',
  ),
  scopes: stringList('Scopes the client may ask for. Default: every scope except admin.'),
  accounts: accountsSchema,
} as const;

export const clientSchema = {
  type: 'object',
  description: 'A registered client. Its secret is never shown here.',
  properties: {
    client_id: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    redirect_uris: { type: 'array', items: { type: 'string' } },
    grant_types: { type: 'array', items: { type: 'string' } },
    scopes: { type: 'array', items: { type: 'string' } },
    public: { type: 'boolean', description: 'A public client has no secret and must use PKCE.' },
    admin: { type: 'boolean', description: 'Only admin clients may hold the admin scope.' },
    owner: { type: ['string', 'null'], description: 'The username of the owner, if any.' },
    accounts: accountsSchema,
    created_at: { type: 'string', format: 'date-time' },
  },
  required: [
    'client_id',
    'name',
    'description',
    'redirect_uris',
    'grant_types',
    'scopes',
    'public',
    'admin',
    'owner',
    'accounts',
    'created_at',
  ],
} as const;

const clientWithSecretSchema = {
  ...clientSchema,
  description: 'The client, with its secret: shown in this reply only, never again (checklist O2).',
  properties: {
    ...clientSchema.properties,
    client_secret: { type: 'string', description: 'Store it now: it cannot be shown again.' },
  },
} as const;

const clientIdParams = {
  type: 'object',
  properties: { client_id: { type: 'string', maxLength: 200, description: 'The client id.' } },
  required: ['client_id'],
} as const;

const admin = { tags: ['Admin'], security: [{ oauth2: ['admin'] }] };

interface CreateBody {
  name: string;
  description?: string;
  redirect_uris?: string[];
  grant_types?: string[];
  scopes?: string[];
  public?: boolean;
  admin?: boolean;
  owner?: string;
  accounts?: 'all' | string[];
}

type UpdateBody = Partial<
  Pick<CreateBody, 'name' | 'description' | 'redirect_uris' | 'grant_types' | 'scopes' | 'accounts'>
>;

interface ClientParams {
  client_id: string;
}

export default async function adminClientRoutes(app: FastifyInstance) {
  const deps = { storage: app.storage, scopes: app.config.scopes };

  app.post<{ Body: CreateBody }>(
    '/clients',
    {
      schema: {
        ...admin,
        operationId: 'createClient',
        summary: 'Register a client',
        description:
          'The same rules as `cli clients create`. A confidential client’s client_secret is in this ' +
          'reply only. `admin: true` lets the client hold the admin scope (an admin client is confidential).',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            ...editable,
            public: { type: 'boolean', description: 'No secret; PKCE required. Default false.' },
            admin: { type: 'boolean', description: 'May hold the admin scope. Default false.' },
            owner: {
              type: 'string',
              description: 'Username of the owner: client-credentials tokens reach the owner’s accounts.',
            },
          },
        },
        response: { 201: clientWithSecretSchema, ...adminFailureResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const input: ClientInput = {
        name: body.name,
        description: body.description,
        redirectUris: body.redirect_uris,
        grantTypes: body.grant_types,
        scopes: body.scopes,
        public: body.public,
        admin: body.admin,
        owner: body.owner,
        accounts: body.accounts,
      };
      const { client, secret } = await createClient(deps, input);
      return reply.code(201).send({ ...client, ...(secret === undefined ? {} : { client_secret: secret }) });
    },
  );

  app.get(
    '/clients',
    {
      schema: {
        ...admin,
        operationId: 'listClients',
        summary: 'List the clients',
        response: {
          200: {
            type: 'object',
            description: 'The clients, oldest first.',
            properties: { clients: { type: 'array', items: clientSchema } },
            required: ['clients'],
          },
          ...adminFailureResponses,
        },
      },
    },
    async () => ({ clients: await listClients(deps) }),
  );

  app.get<{ Params: ClientParams }>(
    '/clients/:client_id',
    {
      schema: {
        ...admin,
        operationId: 'showClient',
        summary: 'Show one client',
        params: clientIdParams,
        response: { 200: clientSchema, ...adminFailureResponses, ...notFoundResponse },
      },
    },
    async (request) => showClient(deps, request.params.client_id),
  );

  app.patch<{ Params: ClientParams; Body: UpdateBody }>(
    '/clients/:client_id',
    {
      schema: {
        ...admin,
        operationId: 'updateClient',
        summary: 'Change a client',
        description: 'Only the fields sent change. Whether a client is public or admin cannot change.',
        params: clientIdParams,
        body: { type: 'object', additionalProperties: false, properties: editable },
        response: { 200: clientSchema, ...adminFailureResponses, ...notFoundResponse },
      },
    },
    async (request) => {
      const body = request.body;
      const update: ClientUpdate = {
        name: body.name,
        description: body.description,
        redirectUris: body.redirect_uris,
        grantTypes: body.grant_types,
        scopes: body.scopes,
        accounts: body.accounts,
      };
      return updateClient(deps, request.params.client_id, update);
    },
  );

  app.post<{ Params: ClientParams }>(
    '/clients/:client_id/rotate-secret',
    {
      schema: {
        ...admin,
        operationId: 'rotateClientSecret',
        summary: 'Replace a confidential client’s secret',
        description: 'The old secret stops working at once. The new one is in this reply only.',
        params: clientIdParams,
        response: { 200: clientWithSecretSchema, ...adminFailureResponses, ...notFoundResponse },
      },
    },
    async (request) => {
      const { client, secret } = await rotateClientSecret(deps, request.params.client_id);
      return { ...client, client_secret: secret };
    },
  );

  app.delete<{ Params: ClientParams }>(
    '/clients/:client_id',
    {
      schema: {
        ...admin,
        operationId: 'deleteClient',
        summary: 'Delete a client',
        description: 'Its codes and tokens stop working at once.',
        params: clientIdParams,
        response: {
          204: { type: 'null', description: 'Deleted.' },
          ...adminFailureResponses,
          ...notFoundResponse,
        },
      },
    },
    async (request, reply) => {
      await deleteClient(deps, request.params.client_id);
      return reply.code(204).send();
    },
  );
}
