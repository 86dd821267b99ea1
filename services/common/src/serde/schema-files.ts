import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCHEMA_FILES = {
  rawTick: 'raw-tick.avsc',
  enrichedTick: 'enriched-tick.avsc',
  deadLetter: 'dead-letter.avsc',
  fxRate: 'fx-rate.avsc',
} as const;

export type SchemaName = keyof typeof SCHEMA_FILES;

/** The repo's schemas/ folder: found by walking up from this module, so it works from src, dist and a container's /app. */
export function defaultSchemasDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'schemas');
    if (existsSync(join(candidate, SCHEMA_FILES.rawTick))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('schemas/ folder not found above the service code; set SCHEMAS_DIR');
    dir = parent;
  }
}

export function loadSchema(name: SchemaName, dir = defaultSchemasDir()): Record<string, unknown> {
  const path = resolve(dir, SCHEMA_FILES[name]);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`cannot load Avro schema ${path} (SCHEMAS_DIR): ${(err as Error).message}`);
  }
}
