// `stockstream healthcheck`: the container image's HEALTHCHECK (and
// docker-compose.yml's). Exit 0 when the service in this container answers
// GET /healthz, 1 otherwise, as Docker expects. Loads common's settings module
// only, not the Kafka client: it runs every 10 s in every container.
import { ConfigError, helpText, loadConfig } from '@stockstream/common/settings';
import { SERVICE_PORTS, anyHealthy, healthcheckSettings } from './service-health.js';

const USAGE = `Usage: stockstream healthcheck

Exits 0 when GET http://127.0.0.1:HTTP_PORT/healthz answers 200 within 3 s, else 1.`;

async function main(argv: string[]): Promise<number> {
  if (argv.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(helpText(USAGE, healthcheckSettings));
    return 0;
  }
  if (argv.length > 0) {
    process.stderr.write(`stockstream healthcheck: takes no arguments; got "${argv.join(' ')}"\n\n${USAGE}\n`);
    return 64;
  }
  let cfg;
  try {
    cfg = loadConfig(healthcheckSettings);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 1;
  }
  return (await anyHealthy(cfg.httpPort !== undefined ? [cfg.httpPort] : SERVICE_PORTS)) ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
