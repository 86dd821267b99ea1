// The consume-transform-produce loop. Each batch of raw records becomes one
// Kafka transaction holding its outputs (enriched or dead letters) and the
// consumed offsets, so a batch is either entirely visible downstream with its
// offsets committed, or not at all. This file only drives: the states are
// named in processor-state.ts, every transition is decided in
// processor-decisions.ts, and offsets are committed by the delivery mode
// (delivery/exactly-once.ts; delivery/at-least-once.ts for benchmarks).
import { setTimeout as sleep } from 'node:timers/promises';
import { classifyTxnError, type GroupConsumer, type Health, type Logger } from '@stockstream/common';
import type { EnrichmentMetrics } from '../metrics.js';
import { AtLeastOnceDelivery } from './delivery/at-least-once.js';
import type { Delivery, OutputProducer } from './delivery/delivery.js';
import { ExactlyOnceDelivery, type TransactionalOutput } from './delivery/exactly-once.js';
import { newEncoding, outputsProduced, prepareBatch, type PreparedBatch, type TransformDeps } from './prepare-batch.js';
import { decide, initialState, nextOffsets, type Outcome } from './processor-decisions.js';
import { isAllowedTransition, type ProcessorState } from './processor-state.js';

export interface ProcessorDeps extends TransformDeps {
  consumer: GroupConsumer;
  /**
   * Exactly-once: a transactional session (its producer is replaced after a
   * fatal error, within its budget). At-least-once: a plain producer; offsets
   * are committed after the flush.
   */
  output: { session: TransactionalOutput } | { producer: OutputProducer };
  metrics: EnrichmentMetrics;
  health: Health;
  logger: Logger;
  batchMax: number;
}

/** A fatal producer error with no renewal left: the service ends and a restart takes over. */
export class FencedError extends Error {
  override name = 'FencedError';
}

type State = ProcessorState<PreparedBatch>;
type Fetched = { ok: true; batch: PreparedBatch } | { ok: false; err: unknown };

/**
 * The loop is pipelined one batch deep: while batch N's offsets and commit
 * travel to the broker, batch N+1 is fetched (on the client's worker thread)
 * and transformed (on this one), so neither waits for the other. Batch N+1 is
 * only produced once N is committed, in its own transaction. A batch is used
 * only if no rebalance happened since its fetch started: the assignment (done
 * on this thread, in the rebalance event) resets positions to the committed
 * offsets, and a batch fetched before that would be processed twice.
 */
export async function runProcessor(deps: ProcessorDeps, signal: AbortSignal): Promise<void> {
  const { consumer, metrics, health, logger } = deps;
  const delivery: Delivery =
    'session' in deps.output ? new ExactlyOnceDelivery(deps.output.session, consumer, { signal, health, logger }) : new AtLeastOnceDelivery(deps.output.producer, consumer);
  const encoding = newEncoding(deps);
  const readAhead = new ReadAhead((): Promise<Fetched> => {
    const generation = consumer.generation;
    return consumer
      .consumeBatch(deps.batchMax, 200)
      .then((messages) => prepareBatch(deps, encoding, generation, messages))
      .then((batch) => ({ ok: true as const, batch }), (err: unknown) => ({ ok: false as const, err }));
  });
  let batchStarted = 0;

  const failed = (err: unknown): Outcome<PreparedBatch> => {
    const kind = classifyTxnError(err);
    return { type: 'batch-failed', kind, renewable: kind === 'fatal' && delivery.mayRenew(), message: (err as Error).message };
  };

  /** The I/O of one phase, reported as its outcome. */
  const perform = async (state: State): Promise<Outcome<PreparedBatch>> => {
    switch (state.phase) {
      case 'backing-off':
        await sleep(state.backoffMs, undefined, { signal }).catch(() => undefined); // a stop ends the wait
        return { type: 'waited' };
      case 'renewing-producer':
        try {
          await delivery.renew();
        } catch (err) {
          logger.warn({ err: (err as Error).message }, 'replacing the producer failed; retrying after backoff');
          return { type: 'renewal-failed' };
        }
        metrics.producerRenewals.inc();
        logger.warn('producer replaced after a fatal error; resuming from the committed offsets');
        return { type: 'renewed' };
      case 'fetching': {
        const fetched = await readAhead.take();
        if (!fetched.ok) {
          // Not a bad record (those are dead-lettered) but e.g. the registry down.
          logger.warn({ err: (fetched.err as Error).message }, 'batch could not be transformed; rewinding');
          health.set('pipeline', false, (fetched.err as Error).message);
          return { type: 'transform-failed' };
        }
        return { type: 'fetched', batch: fetched.batch, empty: fetched.batch.messages.length === 0, generation: consumer.generation };
      }
      case 'in-transaction':
        batchStarted = performance.now();
        try {
          await delivery.begin();
          const producer = delivery.producer;
          for (const o of state.batch.outputs) {
            const q = producer.produce(o.topic, o.key, o.value);
            if (q) await q; // the producer's queue is full: wait for room
          }
          outputsProduced(encoding);
        } catch (err) {
          return failed(err);
        }
        return { type: 'produced', generation: consumer.generation };
      case 'committing': {
        const committed = delivery.commitBatch(nextOffsets(state.batch.messages));
        // Fetch and transform the next batch while this one commits; not when stopping.
        if (!signal.aborted) readAhead.start();
        try {
          await committed;
        } catch (err) {
          await readAhead.drop();
          return failed(err);
        }
        countCommitted(state.batch);
        return { type: 'committed' };
      }
      case 'aborting':
        metrics.transactionsAborted.inc();
        try {
          await delivery.abort();
          return { type: 'aborted' };
        } catch (err) {
          const kind = classifyTxnError(err);
          if (kind !== 'fatal') logger.warn({ err: (err as Error).message }, 'abort failed; retrying the batch after backoff');
          return { type: 'abort-failed', kind, renewable: kind === 'fatal' && delivery.mayRenew(), message: (err as Error).message };
        }
      case 'rewinding':
        await consumer.rewindToCommitted().catch((e: Error) => logger.warn({ err: e.message }, 'rewind failed'));
        return { type: 'rewound' };
      case 'stopped':
        throw new Error('a stopped loop has nothing to do');
    }
  };

  /** Effects that follow from the decision rather than from the I/O. */
  const entered = (from: State, outcome: Outcome<PreparedBatch>, to: State) => {
    const message = 'message' in outcome ? outcome.message : '';
    if (to.phase === 'aborting') {
      logger.warn({ err: to.failure.message, kind: to.failure.kind, batch: 'batch' in from ? from.batch.messages.length : 0 }, 'batch failed: aborting and rewinding');
      if (to.failure.kind !== 'rebalanced') health.set('pipeline', false, to.failure.message);
    }
    if (to.renewalDue && !from.renewalDue) {
      health.set('pipeline', false, message);
      logger.warn({ err: message }, `${outcome.type === 'abort-failed' ? 'abort failed fatally' : 'producer fenced or fatal error'}: replacing the producer`);
    }
  };

  const countCommitted = (batch: PreparedBatch) => {
    metrics.transactionSeconds.observe((performance.now() - batchStarted) / 1000);
    const visibleAt = Date.now();
    for (const at of batch.sampledIngestedAt) metrics.latency.observe((visibleAt - at) / 1000);
    metrics.recordsIn.inc(batch.messages.length);
    metrics.recordsOut.inc(batch.out);
    for (const [reason, n] of batch.dead) metrics.deadLettered.inc({ reason }, n);
    health.set('pipeline', true);
  };

  // Every wait is bounded by the client's own timeouts; should one still never return, the log says which.
  const watch = new StepWatch(logger);
  let state: State = initialState(signal.aborted);
  try {
    while (state.phase !== 'stopped') {
      watch.at(state.phase);
      const outcome = await perform(state);
      const to = decide(state, outcome, signal.aborted);
      if (!isAllowedTransition(state.phase, to.phase)) throw new Error(`the enrichment loop may not go from ${state.phase} to ${to.phase}`);
      entered(state, outcome, to);
      state = to;
    }
  } finally {
    watch.at('dropping the read-ahead');
    await readAhead.drop();
    watch.stop();
  }
  if (state.fatal !== null) throw new FencedError(state.fatal);
}

/** The next batch, fetched and transformed while the current one commits: at most one. */
class ReadAhead {
  private pending: Promise<Fetched> | null = null;

  constructor(private readonly fetch: () => Promise<Fetched>) {}

  start(): void {
    this.pending = this.fetch();
  }

  /** The batch read ahead, or one fetched now. */
  take(): Promise<Fetched> {
    const batch = this.pending ?? this.fetch();
    this.pending = null;
    return batch;
  }

  /** Nothing of it is committed: it is read again after the rewind. */
  async drop(): Promise<void> {
    const pending = this.pending;
    this.pending = null;
    await pending;
  }
}

/** Remembers the step the loop waits on; logs an error while one step lasts over `stuckMs`. */
class StepWatch {
  private step = 'start';
  private since = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(logger: Logger, stuckMs = 60_000) {
    this.timer = setInterval(() => {
      const waited = performance.now() - this.since;
      if (waited > stuckMs) logger.error({ step: this.step, waitedSeconds: Math.round(waited / 1000) }, 'pipeline stuck: one step has not returned');
    }, 15_000);
    this.timer.unref();
  }

  at(step: string): void {
    this.step = step;
    this.since = performance.now();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
