// The image's commands: the table of `stockstream` (services/cli/src/commands.ts),
// which the image's entrypoint (scripts/docker-entrypoint.sh) runs, read from its build.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { REPO } from './compose-file.js';

interface Command {
  name: string;
  module: string;
}
const cli = (await import(pathToFileURL(join(REPO, 'services/cli/dist/src/commands.js')).href)) as {
  COMMANDS: readonly Command[];
  moduleUrl(command: Command): string;
};

/** The words after `stockstream`: ingest, enrichment, s3-sink, query, catalog, healthcheck, ... */
export const IMAGE_COMMANDS: readonly string[] = cli.COMMANDS.map((c) => c.name);

/** The built file a command runs; undefined when there is no such command or it is not built. */
export function moduleFileOf(name: string): string | undefined {
  const command = cli.COMMANDS.find((c) => c.name === name);
  if (!command) return undefined;
  try {
    const file = fileURLToPath(cli.moduleUrl(command));
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined; // a package path that does not resolve
  }
}
