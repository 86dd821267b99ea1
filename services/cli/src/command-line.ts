// `stockstream`'s own words: which command to run, or help, or a wrong word.
// Pure (argv in, decision out), so the table and the messages are unit-tested;
// everything after the command's name is the command's to read.
import { findCommand, type Command } from './commands.js';

export type Invocation =
  | { kind: 'run'; command: Command; args: string[] }
  | { kind: 'help' }
  | { kind: 'usage-error'; message: string };

const HELP_WORDS = new Set(['help', '--help', '-h']);

export function parseCommandLine(argv: readonly string[], commands: readonly Command[]): Invocation {
  const [word, ...args] = argv;
  if (word === undefined) return { kind: 'usage-error', message: 'a command is required' };
  if (HELP_WORDS.has(word)) {
    // `stockstream help ingest` is `stockstream ingest --help`.
    if (args[0] === undefined) return { kind: 'help' };
    const command = findCommand(args[0], commands);
    return command ? { kind: 'run', command, args: ['--help'] } : unknown(args[0]);
  }
  const command = findCommand(word, commands);
  return command ? { kind: 'run', command, args } : unknown(word);
}

function unknown(word: string): Invocation {
  return { kind: 'usage-error', message: `unknown command "${word}"` };
}

/** `stockstream --help`: the commands with their summaries, and where each one's details are. */
export function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'Usage: stockstream COMMAND [ARGS...]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "`stockstream COMMAND --help` (or `stockstream help COMMAND`): the command's arguments and the settings it reads.",
    '',
  ].join('\n');
}
