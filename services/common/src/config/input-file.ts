// Files a command is told to read (a replay's CSV, reference and rates data):
// checked before anything connects, and reported as one plain sentence
// ("cannot read /x/y.csv: no such file"), because whoever reads it has just
// typed or configured the path; errno text and stacks would not help them.
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { ConfigError, type ConfigOf, type SettingsSpec } from './settings.js';

export class InputFileError extends Error {
  override name = 'InputFileError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot read ${file}: ${reason}`);
  }
}

/** The errno codes a mistyped or misconfigured path gives, in words. */
const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  ENOTDIR: 'a folder on its path is a file',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
};

/** `err` of reading `file` as an InputFileError: its errno in words, else its message. */
export function inputFileError(file: string, err: unknown): InputFileError {
  const code = (err as NodeJS.ErrnoException).code;
  return new InputFileError(file, (code !== undefined ? REASONS[code] : undefined) ?? (err as Error).message);
}

/** Throws InputFileError unless `file` is a file (not a folder) this process can open for reading. */
export function checkInputFile(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw inputFileError(file, err);
  }
  try {
    // Opening a folder for reading succeeds on Linux; reading it would fail later, mid-run.
    if (fstatSync(fd).isDirectory()) throw new InputFileError(file, REASONS.EISDIR!);
  } finally {
    closeSync(fd);
  }
}

/** The whole text of `file` (UTF-8), or InputFileError. */
export function readInputFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw inputFileError(file, err);
  }
}

/** ConfigError naming every `file` setting that is set to a file that cannot be read, e.g. "KAFKA_SSL_CA_LOCATION: cannot read /x.pem: no such file". */
export function checkFileSettings<S extends SettingsSpec>(spec: S, cfg: ConfigOf<S>): void {
  const problems: string[] = [];
  for (const [key, setting] of Object.entries(spec)) {
    const path = (cfg as Record<string, unknown>)[key];
    if (!setting.file || typeof path !== 'string' || (setting.file === 'unless-none' && path === 'none')) continue;
    try {
      checkInputFile(path);
    } catch (err) {
      if (!(err instanceof InputFileError)) throw err;
      problems.push(`${setting.env}: ${err.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
}
