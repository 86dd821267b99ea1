import { boundedNativeCall } from '../lifecycle/process-exit.js';
import { withRetry } from '../lifecycle/retry.js';
import type { GroupConsumer } from './consumer.js';
import type { KafkaProducer } from './producer.js';
import type { LibrdKafkaError, TopicPartitionOffset } from './rdkafka.js';

/**
 * The three kinds of transactional failure need three different reactions:
 * fatal (fenced by a newer instance): close and exit, let the restart take over;
 * abortable: abort, rewind, retry the batch; retriable: the same call again.
 */
export type TxnErrorKind = 'fatal' | 'abortable' | 'retriable';

export function classifyTxnError(err: unknown): TxnErrorKind {
  const e = err as Partial<LibrdKafkaError> & { isFatal?: boolean; isTxnRequiresAbort?: boolean; isRetriable?: boolean };
  if (e?.isFatal) return 'fatal';
  if (e?.isTxnRequiresAbort) return 'abortable';
  if (e?.isRetriable) return 'retriable';
  return 'abortable';
}

/**
 * librdkafka's transactional calls are resumable: one that fails with a
 * retriable error (a timeout, the coordinator away) must be called again.
 * Anything else in between fails ("Conflicting commit_transaction API call
 * is already in progress"), so aborting after a timed-out commit would spin.
 * Calls `fn` until it succeeds or fails otherwise; `onRetry` hears each retry.
 */
export function callResumably(fn: () => Promise<void>, opts: { signal: AbortSignal; onRetry: (err: Error, attempt: number) => void }): Promise<void> {
  return withRetry(fn, {
    timeoutMs: Number.POSITIVE_INFINITY, initialDelayMs: 100, maxDelayMs: 2000, signal: opts.signal,
    retryable: (err) => classifyTxnError(err) === 'retriable',
    onRetry: (err, attempt) => opts.onRetry(err as Error, attempt),
  });
}

/**
 * A transactional call that never answered. librdkafka can wait forever for
 * the reply to one — send_offsets_to_transaction after the group coordinator
 * was away, whatever its timeout (librdkafka issues #5456, #5511; seen here
 * after a broker restart: the calling thread parked in rd_kafka_txn_op_req0).
 * The producer is wedged after that: fatal, so the caller replaces it.
 */
export class TransactionalCallStuckError extends Error {
  override name = 'TransactionalCallStuckError';
  readonly isFatal = true;
}

/** Transactional operations over a producer created with a transactional.id. */
export class Transactions {
  /**
   * True once a call got stuck: the producer is abandoned (KafkaProducer.wedged),
   * and a new one with the same transactional.id fences it.
   */
  get wedged(): boolean {
    return this.producer.wedged;
  }
  /** How long a call may go unanswered before it counts as stuck: librdkafka's own bound (up to the transaction timeout) and a margin. */
  private readonly stuckAfterMs: number;

  constructor(private readonly producer: KafkaProducer, private readonly timeoutMs = 30_000, stuckAfterMs?: number) {
    this.stuckAfterMs = stuckAfterMs ?? Math.max(timeoutMs, producer.transactionTimeoutMs) + 30_000;
  }

  init(): Promise<void> {
    return this.call('init transactions', (cb) => this.producer.native.initTransactions(this.timeoutMs, cb));
  }

  begin(): Promise<void> {
    return this.call('begin transaction', (cb) => this.producer.native.beginTransaction(cb));
  }

  /** Commits consumed offsets with the group's metadata (KIP-447), so the broker fences zombies by generation. */
  sendOffsets(offsets: TopicPartitionOffset[], consumer: GroupConsumer): Promise<void> {
    return this.call('send offsets to transaction', (cb) => this.producer.native.sendOffsetsToTransaction(offsets, consumer.native, this.timeoutMs, cb));
  }

  commit(): Promise<void> {
    return this.call('commit transaction', (cb) => this.producer.native.commitTransaction(this.timeoutMs, cb));
  }

  abort(): Promise<void> {
    return this.call('abort transaction', (cb) => this.producer.native.abortTransaction(this.timeoutMs, cb));
  }

  /** The call, bounded here too: a reply that never comes rejects with TransactionalCallStuckError and wedges the producer. */
  private call(name: string, fn: (cb: (err: LibrdKafkaError | null) => void) => void): Promise<void> {
    if (this.wedged) return Promise.reject(new TransactionalCallStuckError(`${name}: this producer is wedged by an earlier call that never returned`));
    return boundedNativeCall(`producer ${name}`, this.stuckAfterMs, fn, () => {
      this.producer.markWedged(name);
      return new TransactionalCallStuckError(`${name} did not return within ${this.stuckAfterMs} ms (the Kafka client lost its reply): replacing the producer`);
    });
  }
}

/**
 * A transactional producer that can be replaced. A fatal error does not always
 * mean a newer instance took over: when a broker outage outlasts
 * transaction.timeout.ms, the coordinator aborts the open transaction and
 * bumps the producer's epoch, and every later call of this producer fails
 * ("invalid state", "fenced"). A new producer with the same transactional.id
 * (initTransactions) starts clean — as Kafka Streams does after such errors.
 * Renewals are budgeted: a real zombie fight (two instances with one id)
 * would renew forever, so past the budget the fatal error stands.
 */
export class TransactionalSession {
  private readonly renewedAt: number[] = [];

  private constructor(
    private readonly open: () => Promise<KafkaProducer>,
    public producer: KafkaProducer,
    public transactions: Transactions,
    private readonly options: Required<SessionOptions>,
  ) {}

  /** Opens the producer and initializes its transactions (which fences any zombie with the same id). */
  static async start(open: () => Promise<KafkaProducer>, options: SessionOptions = {}): Promise<TransactionalSession> {
    const opts = { budget: options.budget ?? { max: 5, withinMs: 10 * 60_000 }, stuckAfterMs: options.stuckAfterMs ?? 0 };
    const { producer, transactions } = await openInitialized(open, opts.stuckAfterMs);
    return new TransactionalSession(open, producer, transactions, opts);
  }

  /** Whether a renewal now stays within the budget. */
  mayRenew(now = Date.now()): boolean {
    return renewalAllowed(this.renewedAt, this.options.budget, now);
  }

  /**
   * Closes the current producer (its transaction is lost anyway) and opens and
   * initializes a new one. Fails, leaving the old one in place, when the
   * broker does not answer; the caller retries after a backoff.
   */
  async renew(now = Date.now()): Promise<void> {
    await this.producer.disconnect().catch(() => undefined); // a wedged one is left alone: the new one fences it
    const { producer, transactions } = await openInitialized(this.open, this.options.stuckAfterMs);
    this.producer = producer;
    this.transactions = transactions;
    this.renewedAt.push(now); // only renewals that happened count: attempts during an outage are unlimited
  }
}

export interface SessionOptions {
  /** Renewals allowed (default 5 within 10 minutes). */
  budget?: RenewalBudget;
  /** When a transactional call counts as stuck (0: Transactions' default, from the transaction timeout). */
  stuckAfterMs?: number;
}

/** A new producer with its transactions initialized; closed again when the initialization fails. */
async function openInitialized(open: () => Promise<KafkaProducer>, stuckAfterMs: number): Promise<{ producer: KafkaProducer; transactions: Transactions }> {
  const producer = await open();
  const transactions = new Transactions(producer, undefined, stuckAfterMs > 0 ? stuckAfterMs : undefined);
  try {
    await transactions.init();
  } catch (err) {
    await producer.disconnect().catch(() => undefined);
    throw err;
  }
  return { producer, transactions };
}

export interface RenewalBudget {
  /** At most this many renewals… */
  max: number;
  /** …within this many milliseconds. */
  withinMs: number;
}

/** Whether one more renewal at `now` fits the budget, given the earlier ones (oldest first; pruned in place). */
export function renewalAllowed(earlier: number[], budget: RenewalBudget, now: number): boolean {
  while (earlier.length > 0 && now - earlier[0]! >= budget.withinMs) earlier.shift();
  return earlier.length < budget.max;
}
