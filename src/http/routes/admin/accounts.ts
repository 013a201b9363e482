import type { FastifyInstance } from 'fastify';
import { addAccountMember, createAccount, listAccounts } from '../../../admin/users.js';
import { adminFailureResponses, notFoundResponse } from './errors.js';

// /admin/v1/accounts: the operations of `cli accounts`, through the same src/admin code.

export const accountSchema = {
  type: 'object',
  description: 'A business account.',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'name', 'created_at'],
} as const;

const admin = { tags: ['Admin'], security: [{ oauth2: ['admin'] }] };

export default async function adminAccountRoutes(app: FastifyInstance) {
  const { storage } = app;

  app.post<{ Body: { name: string } }>(
    '/accounts',
    {
      schema: {
        ...admin,
        operationId: 'createAccount',
        summary: 'Create a business account',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: { name: { type: 'string', description: '1 to 200 characters.' } },
        },
        response: { 201: accountSchema, ...adminFailureResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await createAccount(storage, request.body)),
  );

  app.get(
    '/accounts',
    {
      schema: {
        ...admin,
        operationId: 'listAccounts',
        summary: 'List the business accounts',
        response: {
          200: {
            type: 'object',
            description: 'The accounts, oldest first.',
            properties: { accounts: { type: 'array', items: accountSchema } },
            required: ['accounts'],
          },
          ...adminFailureResponses,
        },
      },
    },
    async () => ({ accounts: await listAccounts(storage) }),
  );

  app.post<{ Params: { id: string }; Body: { username: string } }>(
    '/accounts/:id/members',
    {
      schema: {
        ...admin,
        operationId: 'addAccountMember',
        summary: 'Make a user a member of an account',
        description: 'Adding a member twice changes nothing.',
        params: {
          type: 'object',
          properties: { id: { type: 'string', maxLength: 200, description: 'The account id.' } },
          required: ['id'],
        },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['username'],
          properties: { username: { type: 'string', description: 'The user to add.' } },
        },
        response: {
          204: { type: 'null', description: 'The user is a member.' },
          ...adminFailureResponses,
          ...notFoundResponse,
        },
      },
    },
    async (request, reply) => {
      await addAccountMember(storage, request.params.id, request.body.username);
      return reply.code(204).send();
    },
  );
}
