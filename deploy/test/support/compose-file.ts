// docker-compose.yml as data, for the tests that check it against the code and run it.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The repository root (this file runs from deploy/dist/test/support). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const COMPOSE_FILE = join(REPO, 'docker-compose.yml');

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  restart?: string;
  profiles?: string[];
  mem_limit?: string;
  user?: string;
  healthcheck?: { test: string[]; interval?: string; timeout?: string; start_period?: string; retries?: number };
  depends_on?: Record<string, { condition: string }> | string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Compose's `${VAR:-default}` / `${VAR}` interpolation, with `env` as the shell's environment. */
export function interpolate(text: string, env: Record<string, string | undefined> = {}): string {
  return text.replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => env[name] || fallback || '');
}

/** The compose file with YAML merge keys applied (as both Compose versions read it) and variables at their defaults. */
export function loadCompose(env: Record<string, string | undefined> = {}): ComposeFile {
  return parse(interpolate(readFileSync(COMPOSE_FILE, 'utf8'), env), { merge: true }) as ComposeFile;
}

/** The string values of a service's environment. */
export function environmentOf(service: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));
}

/** "127.0.0.1:9102:9102" -> { host: 9102, container: 9102 }. */
export function publishedPorts(service: ComposeService): { host: number; container: number }[] {
  return (service.ports ?? []).map((p) => {
    const parts = p.split(':');
    return { host: Number(parts[parts.length - 2]), container: Number(parts[parts.length - 1]) };
  });
}
