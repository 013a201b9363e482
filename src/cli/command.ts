import type { CliContext } from './context.js';

export interface Command {
  /** Shown by --help: the synopsis, then what it does. */
  usage: string;
  run(ctx: CliContext, argv: string[]): Promise<void>;
}

export type CommandGroup = Record<string, Command>;
