// Runs a command's module in this process, as if Node had been started on it:
// process.argv is what it would have been, so the module's own argument
// parsing, --help and exit codes apply unchanged. In-process rather than a
// child process, so signals (SIGTERM from tini or a terminal) reach the
// service directly and its exit status is the command's.
import { fileURLToPath } from 'node:url';
import { moduleUrl, type Command } from './commands.js';

export async function runCommand(command: Command, args: readonly string[]): Promise<void> {
  const url = moduleUrl(command);
  process.argv = [process.argv[0]!, fileURLToPath(url), ...args];
  await import(url);
}
