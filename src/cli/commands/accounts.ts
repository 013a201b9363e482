import { addAccountMember, createAccount, listAccounts } from '../../admin/users.js';
import { parse, UsageError } from '../args.js';
import type { CommandGroup } from '../command.js';

export const accountCommands: CommandGroup = {
  create: {
    usage: `accounts create --name <text> [--json]
  Creates a business account.`,
    async run(ctx, argv) {
      const { values } = parse(argv, { name: { type: 'string' }, json: { type: 'boolean' } });
      if (values.name === undefined) throw new UsageError('--name is required');
      const account = await createAccount(await ctx.storage(), { name: values.name });
      if (values.json) return ctx.json({ id: account.id, name: account.name });
      ctx.out(`Created account "${account.name}" (id ${account.id}).`);
    },
  },

  list: {
    usage: `accounts list [--json]
  Lists the accounts.`,
    async run(ctx, argv) {
      const { values } = parse(argv, { json: { type: 'boolean' } });
      const accounts = await listAccounts(await ctx.storage());
      if (values.json) return ctx.json(accounts);
      if (accounts.length === 0) return ctx.out('No accounts.');
      for (const account of accounts) ctx.out(`${account.id}  ${account.name}`);
    },
  },

  'add-member': {
    usage: `accounts add-member <account_id> <username>
  Makes a user a member of an account.`,
    async run(ctx, argv) {
      const { positionals } = parse(argv, {}, 2);
      const [accountId = '', username = ''] = positionals;
      await addAccountMember(await ctx.storage(), accountId, username);
      ctx.out(`Added ${username} to account ${accountId}.`);
    },
  },
};
