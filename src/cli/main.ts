#!/usr/bin/env node
import { AdminError } from '../admin/errors.js';
import { ConfigError } from '../config.js';
import { migrate } from '../storage/migrate.js';
import { UsageError } from './args.js';
import type { Command, CommandGroup } from './command.js';
import { accountCommands } from './commands/accounts.js';
import { clientCommands } from './commands/clients.js';
import { purgeCommand } from './commands/purge.js';
import { userCommands } from './commands/users.js';
import { CliContext } from './context.js';

const groups: Record<string, CommandGroup> = {
  clients: clientCommands,
  users: userCommands,
  accounts: accountCommands,
};

const standalone: Record<string, Command> = {
  migrate: {
    usage: `migrate
  Applies the database migrations that are missing (the server also does this at start).`,
    async run(ctx, argv) {
      if (argv.length > 0) throw new UsageError(`unexpected argument "${argv[0]}"`);
      const applied = await migrate(ctx.config.databaseKind, ctx.config.databaseUrl);
      ctx.out(applied.length === 0 ? 'The database is up to date.' : `Applied ${applied.join(', ')}.`);
    },
  },
  purge: purgeCommand,
};

function overview(): string {
  const lines = [
    'Usage: appointman <command> [options]   (npm run --silent cli -- <command>)',
    '',
    'Commands:',
  ];
  for (const [group, commands] of Object.entries(groups)) {
    for (const name of Object.keys(commands)) lines.push(`  ${group} ${name}`);
  }
  for (const name of Object.keys(standalone)) lines.push(`  ${name}`);
  lines.push('', 'Run any command with --help for its options.');
  return lines.join('\n');
}

function resolve(argv: string[]): { command?: Command; rest: string[]; help: string } {
  const [first, second, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help')
    return { rest: [], help: overview() };
  const single = standalone[first];
  if (single) return { command: single, rest: argv.slice(1), help: single.usage };
  const group = groups[first];
  if (!group) throw new UsageError(`unknown command "${first}" (see --help)`);
  const groupHelp = `Usage:\n${Object.values(group)
    .map((command) => `  ${command.usage.split('\n')[0]}`)
    .join('\n')}`;
  if (second === undefined || second === '--help' || second === '-h') return { rest: [], help: groupHelp };
  const command = group[second];
  if (!command) throw new UsageError(`unknown command "${first} ${second}" (see ${first} --help)`);
  return { command, rest, help: command.usage };
}

async function runCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  let ctx: CliContext | undefined;
  try {
    const { command, rest, help } = resolve(argv);
    if (!command || rest.includes('--help') || rest.includes('-h')) {
      out(help);
      return command || argv.length === 0 || argv.some((a) => a === '--help' || a === '-h' || a === 'help')
        ? 0
        : 2;
    }
    ctx = new CliContext(out);
    await command.run(ctx, rest);
    return 0;
  } catch (error) {
    process.stderr.write(`error: ${describe(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  } finally {
    await ctx?.close();
  }
}

function describe(error: unknown): string {
  if (error instanceof ConfigError) return error.problems.join('; ');
  if (error instanceof AdminError || error instanceof UsageError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  // One plain line: the first line of whatever failed (a database error can span many).
  return (message.split('\n').find((line) => line.trim() !== '') ?? 'unexpected failure').trim();
}

process.exitCode = await runCli(process.argv.slice(2));
