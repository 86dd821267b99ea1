// `stockstream COMMAND [ARGS...]`: the one command of the project, on a
// developer's machine (npx stockstream ..., through bin/stockstream.js) and in
// the container image (scripts/docker-entrypoint.sh). The commands are the
// table in commands.ts.
import { parseCommandLine, usage } from './command-line.js';
import { COMMANDS } from './commands.js';
import { runCommand } from './run-command.js';

/** Like a shell's: a command line stockstream cannot make sense of. */
const EXIT_USAGE = 2;

const invocation = parseCommandLine(process.argv.slice(2), COMMANDS);
if (invocation.kind === 'run') {
  // From here the command owns the process: its exit code, its signals.
  await runCommand(invocation.command, invocation.args);
} else if (invocation.kind === 'help') {
  process.stdout.write(usage(COMMANDS));
} else {
  process.stderr.write(`stockstream: ${invocation.message}\n\n${usage(COMMANDS)}`);
  process.exitCode = EXIT_USAGE;
}
