import { z } from 'zod';

/**
 * One environment variable a component reads. Components declare their
 * settings (Redpanda Connect style) so that validation, error messages and the
 * README's configuration table all come from one place.
 */
export interface Setting<T> {
  env: string;
  /** What the value means, for humans. */
  doc: string;
  /** The expected form, used in error messages ("a positive integer"). */
  expect: string;
  /** Raw default as it would appear in the environment; undefined = required or optional. */
  default?: string;
  /** Optional settings may be unset: their value is then undefined. */
  optional?: boolean;
  /** Never printed: not in logs, not in error messages. */
  secret?: boolean;
  /**
   * A path to a file the component reads: checked readable before anything
   * connects (checkFileSettings); 'unless-none' when the value `none` turns
   * the file off.
   */
  file?: boolean | 'unless-none';
  schema: z.ZodType<T>;
}

export type SettingsSpec = Record<string, Setting<unknown>>;

export type ConfigOf<S extends SettingsSpec> = {
  [K in keyof S]: S[K] extends Setting<infer T> ? (S[K]['optional'] extends true ? T | undefined : T) : never;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates every setting at once so the user sees all problems in one start. */
export function loadConfig<S extends SettingsSpec>(spec: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, setting] of Object.entries(spec)) {
    const raw = env[setting.env];
    const value = raw === undefined || raw === '' ? setting.default : raw;
    if (value === undefined) {
      if (setting.optional) {
        out[key] = undefined;
        continue;
      }
      problems.push(`${setting.env} is required: ${setting.expect} (${setting.doc})`);
      continue;
    }
    const parsed = setting.schema.safeParse(value);
    if (parsed.success) {
      out[key] = parsed.data;
    } else {
      const shown = setting.secret ? '<redacted>' : JSON.stringify(value);
      problems.push(`${setting.env} must be ${setting.expect}; got ${shown}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

// Reusable value schemas. Environment values are strings, so each one parses text.
export const positiveInt = z.coerce.number().int().positive();
export const nonNegativeInt = z.coerce.number().int().nonnegative();
export const positiveNumber = z.coerce.number().positive().finite();
export const port = z.coerce.number().int().min(1).max(65535);
export const nonEmpty = z.string().trim().min(1);
export const httpUrl = z.string().url().refine((u) => /^https?:\/\//.test(u), 'http(s) URL');
export const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
export const hostPortList = z
  .string()
  .transform((s) => s.split(',').map((p) => p.trim()).filter((p) => p.length > 0))
  .refine((list) => list.length > 0 && list.every((hp) => /^[^\s:]+:\d{1,5}$/.test(hp)), 'host:port list');

export function setting<T>(s: Setting<T>): Setting<T> {
  return s;
}

/** Markdown rows for the README's configuration table. */
export function describeSettings(spec: SettingsSpec): string[] {
  return Object.values(spec).map(
    (s) => `| \`${s.env}\` | ${s.default === undefined ? (s.optional ? '_(unset)_' : '**required**') : `\`${s.default}\``} | ${s.doc} |`,
  );
}

/** `--help`: the usage line(s), then every setting with its default and meaning. */
export function helpText(usage: string, settings: SettingsSpec): string {
  const rows = Object.values(settings).map((s) => {
    const dflt = s.default !== undefined ? ` (default ${s.default})` : s.optional ? '' : ' (required)';
    return `  ${s.env.padEnd(32)} ${s.doc}${dflt}`;
  });
  return `${usage.trim()}\n\nSettings (environment variables):\n${rows.join('\n')}\n`;
}
