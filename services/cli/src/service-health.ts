// What `stockstream healthcheck` asks: a service's GET /healthz on this host,
// at the port the service serves it on.
import { port, setting } from '@stockstream/common/settings';

/** The services' own HTTP_PORT defaults (ingest, enrichment, s3-sink); a unit test keeps them in step. */
export const SERVICE_PORTS = [9101, 9102, 9103];

export const healthcheckSettings = {
  httpPort: setting({
    env: 'HTTP_PORT', optional: true, expect: 'a TCP port',
    doc: `Port of the service to ask, as the service reads it (unset: ${SERVICE_PORTS.join(', ')}, whichever answers).`,
    schema: port,
  }),
};

const TIMEOUT_MS = 3000;

async function healthy(p: number): Promise<void> {
  const r = await fetch(`http://127.0.0.1:${p}/healthz`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
}

/** True when one of `ports` answers GET /healthz with a 2xx within 3 s. */
export function anyHealthy(ports: readonly number[]): Promise<boolean> {
  return Promise.any(ports.map(healthy)).then(() => true, () => false);
}
