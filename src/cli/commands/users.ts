import { createUser, deleteUser, listUsers, setUserPassword } from '../../admin/users.js';
import { parse, UsageError } from '../args.js';
import type { CommandGroup } from '../command.js';
import { promptPassword, readPasswordFromStdin } from '../password-input.js';

const passwordOptions = { 'password-stdin': { type: 'boolean' } } as const;

function readPassword(fromStdin: boolean | undefined): Promise<string> {
  return fromStdin ? readPasswordFromStdin() : promptPassword();
}

export const userCommands: CommandGroup = {
  create: {
    usage: `users create --username <name> [--email <addr>] [--password-stdin] [--json]
  Creates a user. The password is read from the first line of standard input with --password-stdin,
  otherwise asked for on the terminal.`,
    async run(ctx, argv) {
      const { values } = parse(argv, {
        username: { type: 'string' },
        email: { type: 'string' },
        json: { type: 'boolean' },
        ...passwordOptions,
      });
      if (values.username === undefined) throw new UsageError('--username is required');
      const storage = await ctx.storage();
      const password = await readPassword(values['password-stdin']);
      const user = await createUser(storage, { username: values.username, email: values.email, password });
      if (values.json) return ctx.json({ id: user.id, username: user.username });
      ctx.out(`Created user ${user.username} (id ${user.id}).`);
    },
  },

  list: {
    usage: `users list [--json]
  Lists the users.`,
    async run(ctx, argv) {
      const { values } = parse(argv, { json: { type: 'boolean' } });
      const users = await listUsers(await ctx.storage());
      if (values.json) return ctx.json(users);
      if (users.length === 0) return ctx.out('No users.');
      for (const user of users)
        ctx.out(`${user.id}  ${user.username}${user.email ? `  <${user.email}>` : ''}`);
    },
  },

  delete: {
    usage: `users delete <username>
  Deletes a user with their sessions, consents and tokens.`,
    async run(ctx, argv) {
      const { positionals } = parse(argv, {}, 1);
      await deleteUser(await ctx.storage(), positionals[0] ?? '');
      ctx.out(`Deleted user ${positionals[0]}.`);
    },
  },

  'set-password': {
    usage: `users set-password <username> [--password-stdin]
  Sets a user's password (from standard input, or asked for on the terminal).`,
    async run(ctx, argv) {
      const { values, positionals } = parse(argv, passwordOptions, 1);
      const storage = await ctx.storage();
      await setUserPassword(storage, positionals[0] ?? '', await readPassword(values['password-stdin']));
      ctx.out(`Password set for ${positionals[0]}.`);
    },
  },
};
