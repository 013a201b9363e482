// The bare routes to compare with under callgrind: the bench's GET route, and a POST route that
// parses the same form as introspection and answers a JSON object of about the same size.
import formbody from '@fastify/formbody';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
await app.register(formbody);
app.get('/', async () => ({ hello: 'world' }));
app.post('/form', async (request) => ({
  active: true,
  scope: 'read',
  client_id: 'abcdefghijklmnopqrstuv',
  token_type: 'Bearer',
  exp: 1790000000,
  iat: 1789990000,
  iss: 'http://127.0.0.1:3000',
  accounts: [],
  length: request.body.token.length,
}));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
