import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { checkFileSettings } from '../config/input-file.js';
import { helpText, loadConfig, type ConfigOf, type SettingsSpec } from '../config/settings.js';
import { createLogger } from '../logging/logger.js';
import { Health } from '../observability/health.js';
import { startObservabilityServer } from '../observability/http-server.js';
import { buildInfo, createMetricsRegistry } from '../observability/metrics.js';
import { librdkafkaVersion } from '../kafka/rdkafka.js';
import { exitProcess } from './process-exit.js';
import { setHeapGrowingPercent } from '../runtime/heap-growth.js';
import { Lifecycle } from './shutdown.js';

export interface ServiceContext<C> {
  cfg: C;
  logger: Logger;
  lifecycle: Lifecycle;
  registry: Registry;
  health: Health;
  signal: AbortSignal;
}

/**
 * What every service's main does before its own wiring: validate config and
 * check the files it names are readable (exit 78 naming the variables; 78
 * also for a bad data file, or the error's `exitCode`), create the logger,
 * metrics registry, health and the /metrics /healthz /readyz server, and run
 * under graceful shutdown.
 * `prepare` runs before anything connects (parse arguments, load data files),
 * so its errors fail fast too. Exits the process with the service's code.
 * `--help` (or `-h`) prints `usage` and the settings it reads, and exits 0
 * before anything is validated or connected.
 */
export function serviceMain<S extends SettingsSpec, P>(
  name: string,
  settings: S,
  prepare: (cfg: ConfigOf<S>) => P,
  run: (ctx: ServiceContext<ConfigOf<S>>, prepared: P) => Promise<void>,
  usage = `Usage: stockstream ${name} (no arguments; configured by the environment)`,
): void {
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(helpText(usage, settings));
    process.exit(0);
  }
  let exitLogger: Logger | undefined;
  const start = async (): Promise<number> => {
    let cfg: ConfigOf<S>;
    let prepared: P;
    try {
      cfg = loadConfig(settings);
      checkFileSettings(settings, cfg);
      prepared = prepare(cfg);
    } catch (err) {
      // Bad settings, arguments or data files: one clear message, no stack, no connection attempted.
      process.stderr.write(`${name}: ${(err as Error).message}\n`);
      return (err as { exitCode?: number }).exitCode ?? 78;
    }
    const memory = cfg as { heapGrowingPercent?: number };
    if (memory.heapGrowingPercent !== undefined) setHeapGrowingPercent(memory.heapGrowingPercent);
    const logger = createLogger(name, (cfg as { logLevel?: string }).logLevel ?? 'info');
    const lifecycle = new Lifecycle(logger);
    const registry = createMetricsRegistry(name, buildInfo(librdkafkaVersion));
    const health = new Health();
    const http = cfg as unknown as { httpHost: string; httpPort: number };
    exitLogger = logger;
    return lifecycle.run(async (signal) => {
      const server = await startObservabilityServer({ host: http.httpHost, port: http.httpPort, registry, health });
      lifecycle.defer('http server', () => server.close());
      await run({ cfg, logger, lifecycle, registry, health, signal }, prepared);
    });
  };
  start().then(
    (code) => exitProcess(code, exitLogger),
    (err) => {
      process.stderr.write(`${name}: ${(err as Error).stack ?? err}\n`);
      exitProcess(1, exitLogger);
    },
  );
}
