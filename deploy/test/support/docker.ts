// The Docker engine and Compose CLI the container tests drive (deploy/docker/engine.sh starts the engine).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Compose v1 (`docker-compose`, the one Debian ships) when present, else v2 (`docker compose`). */
export function composeCli(): string[] {
  try {
    execFileSync('docker-compose', ['version'], { stdio: 'ignore' });
    return ['docker-compose'];
  } catch {
    return ['docker', 'compose'];
  }
}

export async function docker(args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run('docker', args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/**
 * node:test `skip` for tests that need the engine and the project's images:
 * false when both are there, else why not. `make test` starts the engine and
 * builds the images first (scripts/test.sh) and fails when it cannot, so a
 * skip here means the tests were run by hand without them, or on a machine
 * where test.sh could not start an engine (it says why: STOCKSTREAM_CONTAINERS_SKIP).
 */
export function containerSkip(images: string[]): string | false {
  if (process.env.STOCKSTREAM_CONTAINERS_SKIP) return process.env.STOCKSTREAM_CONTAINERS_SKIP;
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 15_000 });
  } catch {
    return `no Docker engine answers at ${process.env.DOCKER_HOST ?? 'the default socket'} (deploy/docker/engine.sh up)`;
  }
  const missing = images.filter((image) => {
    try {
      execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  return missing.length > 0 ? `images missing: ${missing.join(', ')} (deploy/docker/images.sh build)` : false;
}

// Ryuk (testcontainers' reaper) is an image that cannot be pulled here; the tests remove their containers themselves.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
