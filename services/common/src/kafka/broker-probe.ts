import type { Gauge } from 'prom-client';
import type { Health } from '../observability/health.js';
import type { Lifecycle } from '../lifecycle/shutdown.js';
import type { GroupConsumer } from './consumer.js';

/**
 * Every `everyMs`, asks the broker for the assigned partitions' ends: keeps the
 * consumer-lag gauge current and doubles as the broker health check behind
 * /readyz (a consumer that merely gets no messages cannot tell a quiet topic
 * from a dead broker).
 */
export function startBrokerProbe(opts: { consumer: GroupConsumer; health: Health; lag: Gauge<'topic' | 'partition'>; lifecycle: Lifecycle; everyMs?: number; onTick?: () => void }): void {
  let probing = false;
  const timer = setInterval(() => {
    opts.onTick?.();
    if (probing) return;
    probing = true;
    opts.consumer
      .lag()
      .then(
        (lags) => {
          // Only the partitions assigned now: a revoked one's series goes (another instance reports it).
          opts.lag.reset();
          for (const l of lags) opts.lag.set({ topic: l.topic, partition: String(l.partition) }, l.lag);
          opts.health.set('kafka', true);
        },
        (err: Error) => opts.health.set('kafka', false, `broker unreachable: ${err.message}`),
      )
      .finally(() => (probing = false));
  }, opts.everyMs ?? 2000);
  timer.unref();
  opts.lifecycle.defer('broker probe', () => clearInterval(timer));
}
