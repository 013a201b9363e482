import type { FastifyInstance } from 'fastify';
import { createUser, deleteUser, listUsers, setUserPassword } from '../../../admin/users.js';
import { adminFailureResponses, notFoundResponse } from './errors.js';

// /admin/v1/users: the operations of `cli users`, through the same src/admin code.

export const userSchema = {
  type: 'object',
  description: 'A user. The password is never shown.',
  properties: {
    id: { type: 'string', description: 'The user id (the `sub` of introspection).' },
    username: { type: 'string' },
    email: { type: ['string', 'null'] },
    created_at: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'username', 'email', 'created_at'],
} as const;

const usernameParams = {
  type: 'object',
  properties: { username: { type: 'string', maxLength: 200, description: 'The username.' } },
  required: ['username'],
} as const;

const password = { type: 'string', description: 'The new password (1 to 1024 characters).' } as const;

const admin = { tags: ['Admin'], security: [{ oauth2: ['admin'] }] };

export default async function adminUserRoutes(app: FastifyInstance) {
  const { storage } = app;

  app.post<{ Body: { username: string; email?: string; password: string } }>(
    '/users',
    {
      schema: {
        ...admin,
        operationId: 'createUser',
        summary: 'Create a user',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['username', 'password'],
          properties: {
            username: {
              type: 'string',
              description: '1 to 64 letters, digits, dots, dashes, underscores or @.',
            },
            email: { type: 'string', description: 'An email address (optional).' },
            password,
          },
        },
        response: { 201: userSchema, ...adminFailureResponses, 409: duplicate() },
      },
    },
    async (request, reply) => reply.code(201).send(await createUser(storage, request.body)),
  );

  app.get(
    '/users',
    {
      schema: {
        ...admin,
        operationId: 'listUsers',
        summary: 'List the users',
        response: {
          200: {
            type: 'object',
            description: 'The users, oldest first.',
            properties: { users: { type: 'array', items: userSchema } },
            required: ['users'],
          },
          ...adminFailureResponses,
        },
      },
    },
    async () => ({ users: await listUsers(storage) }),
  );

  app.delete<{ Params: { username: string } }>(
    '/users/:username',
    {
      schema: {
        ...admin,
        operationId: 'deleteUser',
        summary: 'Delete a user',
        description: 'Their sessions, consents, grants and tokens go with them.',
        params: usernameParams,
        response: {
          204: { type: 'null', description: 'Deleted.' },
          ...adminFailureResponses,
          ...notFoundResponse,
        },
      },
    },
    async (request, reply) => {
      await deleteUser(storage, request.params.username);
      return reply.code(204).send();
    },
  );

  app.put<{ Params: { username: string }; Body: { password: string } }>(
    '/users/:username/password',
    {
      schema: {
        ...admin,
        operationId: 'setUserPassword',
        summary: 'Set a user’s password',
        params: usernameParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['password'],
          properties: { password },
        },
        response: {
          204: { type: 'null', description: 'Changed.' },
          ...adminFailureResponses,
          ...notFoundResponse,
        },
      },
    },
    async (request, reply) => {
      await setUserPassword(storage, request.params.username, request.body.password);
      return reply.code(204).send();
    },
  );
}

function duplicate() {
  return { ...adminFailureResponses[400], description: 'duplicate_username: the username is taken.' };
}
