import type { Logger } from 'pino';
import { CLOSE_BOUND_MS, baseClientConfig, type KafkaConfig } from './client-config.js';
import { CODES, Producer, type LibrdKafkaError } from './rdkafka.js';
import { boundedNativeCall } from '../lifecycle/process-exit.js';
import { connectClient } from './connect.js';

/** A transactional producer closes connections idle this long (see its config below). */
const IDLE_CONNECTION_CLOSE_MS = 20_000;

/** How long a transaction may stay open before the broker aborts it (default). */
const TRANSACTION_TIMEOUT_MS = 60_000;

export type DeliveryCallback = (err: LibrdKafkaError | null, offset: number | undefined, partition: number | undefined) => void;

/** What librdkafka reports about one message: `size` is the value's length in bytes. */
export interface DeliveryReport {
  topic: string;
  partition: number;
  offset: number;
  size: number;
}

/**
 * Receives the delivery report of every message produced without its own
 * callback. One shared handler is much cheaper than a callback per message:
 * a per-message callback makes the native client create and destroy a
 * persistent handle for each message.
 */
export type DeliveryHandler = (err: LibrdKafkaError | null, report: DeliveryReport) => void;

export interface ProducerOptions {
  clientId: string;
  /** Set for exactly-once (consume-transform-produce); implies idempotence. */
  transactionalId?: string;
  /** transaction.timeout.ms (default 60 s); message.timeout.ms follows it. */
  transactionTimeoutMs?: number;
  /**
   * 'each' (default): a delivery report per message, so `pending` and flush()
   * know when every message is acknowledged. 'failures': only failed messages
   * are reported (librdkafka's delivery.report.only.error), which halves the
   * producer's cost per message; for a transactional producer, whose commit
   * fails when any message of the transaction failed, so success needs no
   * report. `pending` is then always 0.
   */
  deliveryReports?: 'each' | 'failures';
  /** Extra librdkafka properties; these win over the defaults. */
  overrides?: Record<string, string | number | boolean>;
}

/**
 * An idempotent librdkafka producer with delivery reports: per message (a
 * callback given to produce) or through one shared handler (setDeliveryHandler),
 * which is cheaper. Produce is fire-and-forget into librdkafka's queue
 * (batching is what makes it fast); the report tells when the broker
 * acknowledged. A full local queue is back-pressure: produce() then waits for
 * deliveries to drain it.
 */
export class KafkaProducer {
  /**
   * Set when a call into this producer never returned (see
   * TransactionalCallStuckError): the call still runs inside it on a libuv
   * thread, so the producer is abandoned — disconnect() leaves it alone, as
   * closing it would race that call, and the process must end by SIGKILL
   * (see exitProcess), as exiting would wait for that call's thread.
   */
  get wedged(): boolean {
    return this.stuckCall !== undefined;
  }
  private stuckCall: string | undefined;

  /** Abandons this producer: `call` never returned (registered as stuck by boundedNativeCall) and holds a libuv thread. */
  markWedged(call: string): void {
    this.stuckCall = call;
  }

  private inFlight = 0;
  private deliveryHandler: DeliveryHandler | undefined;

  private constructor(
    readonly native: InstanceType<typeof Producer>,
    private readonly logger: Logger,
    /** Whether every message gets a report, so in-flight messages can be counted. */
    private readonly counting: boolean,
    /** transaction.timeout.ms of a transactional producer (the default otherwise). */
    readonly transactionTimeoutMs: number,
  ) {}

  static async connect(cfg: KafkaConfig, logger: Logger, opts: ProducerOptions): Promise<KafkaProducer> {
    const txnTimeoutMs = opts.transactionTimeoutMs ?? TRANSACTION_TIMEOUT_MS;
    const conf = {
      ...baseClientConfig(cfg, opts.clientId),
      'enable.idempotence': true,
      acks: 'all',
      'compression.codec': cfg.compression,
      'linger.ms': cfg.lingerMs,
      'batch.size': cfg.batchBytes,
      'batch.num.messages': 100_000,
      'queue.buffering.max.messages': 500_000,
      'queue.buffering.max.kbytes': 512 * 1024,
      // librdkafka requires message.timeout.ms <= transaction.timeout.ms for a transactional producer.
      'message.timeout.ms': opts.transactionalId ? txnTimeoutMs : 120_000,
      dr_cb: true,
      ...(opts.deliveryReports === 'failures' ? { 'delivery.report.only.error': true } : {}),
      ...(opts.transactionalId
        ? {
            'transactional.id': opts.transactionalId,
            'transaction.timeout.ms': txnTimeoutMs,
            // librdkafka re-runs a waiting coordinator request only when some broker connection goes up or down
            // (librdkafka #5456, #5511): after a broker restart send_offsets_to_transaction could wait for that
            // forever, its timeout unchecked. Closing idle connections makes such a change happen while it waits.
            'connections.max.idle.ms': IDLE_CONNECTION_CLOSE_MS,
          }
        : {}),
      ...opts.overrides,
    };
    const native = new Producer(conf as never);
    const producer = new KafkaProducer(native, logger.child({ component: 'producer' }), opts.deliveryReports !== 'failures', txnTimeoutMs);
    native.on('delivery-report', (err, report) => {
      if (producer.counting) producer.inFlight--;
      const cb = report.opaque as DeliveryCallback | undefined;
      if (cb !== undefined) cb(err ?? null, report.offset, report.partition);
      else producer.deliveryHandler?.(err ?? null, report);
    });
    native.on('event.error', (err) => producer.logger.warn({ err: err.message, code: err.code }, 'kafka client error'));
    await connectClient(native, cfg, (done) => native.connect({ timeout: cfg.connectTimeoutMs }, done));
    // Delivery reports are polled on librdkafka's background thread rather than
    // by a timer on the event loop: that takes about 1 µs per message off the
    // JavaScript thread, which is where a fast producer spends its time. The
    // reports still reach JavaScript through the event loop.
    native.setPollInBackground(true);
    return producer;
  }

  /** Messages handed to librdkafka and not yet acknowledged or failed. */
  get pending(): number {
    return this.inFlight;
  }

  /**
   * Sets (or with undefined removes) the handler of the delivery reports of
   * messages produced without their own callback. Without one, such a report
   * only counts down `pending`: a failed message then shows nowhere but in a
   * transaction's commit, so a producer that must know uses a handler.
   */
  setDeliveryHandler(handler: DeliveryHandler | undefined): void {
    this.deliveryHandler = handler;
  }

  /**
   * Queues one message. Returns synchronously in the common case; only when
   * librdkafka's queue is full does it return a promise that settles once
   * there is room again, so callers can `await` it cheaply on every call.
   * `value` may be any byte view (a Buffer, or a subarray of a larger array):
   * the client copies it before this returns; null is a tombstone (compacted topics).
   */
  produce(topic: string, key: Buffer | string | null, value: Uint8Array | null, onDelivery?: DeliveryCallback, partition?: number): void | Promise<void> {
    if (this.tryProduce(topic, key, value, onDelivery, partition)) return;
    return this.retryWhenRoom(topic, key, value, onDelivery, partition);
  }

  /** Hands one message to librdkafka; false when its queue is full. */
  private tryProduce(topic: string, key: Buffer | string | null, value: Uint8Array | null, onDelivery?: DeliveryCallback, partition?: number): boolean {
    try {
      // Typed as Buffer, but the binding reads any byte view (node::Buffer::HasInstance is IsArrayBufferView):
      // consumed-messages.test.ts produces subarrays and reads them back.
      this.native.produce(topic, partition ?? null, value as Buffer, key, Date.now(), onDelivery); // null: a tombstone
      if (this.counting) this.inFlight++;
      return true;
    } catch (err) {
      if ((err as LibrdKafkaError).code !== CODES.ERRORS.ERR__QUEUE_FULL) throw err;
      return false;
    }
  }

  private async retryWhenRoom(topic: string, key: Buffer | string | null, value: Uint8Array | null, onDelivery?: DeliveryCallback, partition?: number): Promise<void> {
    do await new Promise((r) => setTimeout(r, 2));
    while (!this.tryProduce(topic, key, value, onDelivery, partition));
  }

  /**
   * Waits until every queued message is acknowledged or has failed. With
   * deliveryReports 'failures' a failure's report may still be on its way to
   * JavaScript when this resolves: only a transaction's commit is proof then.
   */
  async flush(timeoutMs = 30_000): Promise<void> {
    await new Promise<void>((resolve, reject) => this.native.flush(timeoutMs, (err) => (err ? reject(err) : resolve())));
    // Delivery reports reach JavaScript through the event loop; give them until they all arrived.
    const until = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    if (this.inFlight > 0) throw new Error(`flush timed out with ${this.inFlight} messages unacknowledged`);
  }

  async disconnect(): Promise<void> {
    if (this.wedged) return;
    // Its own flush is bounded at 10 s; the bound here is for the close after it.
    await boundedNativeCall('producer close', CLOSE_BOUND_MS, (done) => this.native.disconnect(10_000, () => done()));
  }
}

