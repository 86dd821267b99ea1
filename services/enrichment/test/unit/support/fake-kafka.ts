// Just enough Kafka, in memory, to drive the enrichment loop in unit tests:
// one raw topic with its group's committed offsets, a consumer with positions
// and assignment generations, and producers that either hold their outputs in
// a transaction until it commits (exactly-once) or deliver them at once and
// report deliveries on flush (at-least-once). Faults are injected by hooks.
import { setTimeout as sleep } from 'node:timers/promises';
import { MessageBatch, type DeliveryHandler, type GroupConsumer, type LibrdKafkaError, type Message, type TopicPartitionOffset } from '@stockstream/common';
import type { OutputProducer } from '../../../src/pipeline/delivery/delivery.js';
import type { TransactionalOutput } from '../../../src/pipeline/delivery/exactly-once.js';

export const RAW_TOPIC = 'ticks.raw';

export interface Output {
  topic: string;
  key: Buffer;
  value: Buffer;
}

/** librdkafka's error flags, as classifyTxnError reads them. */
export const fatal = (message: string) => Object.assign(new Error(message), { isFatal: true });
export const abortable = (message: string) => Object.assign(new Error(message), { isTxnRequiresAbort: true });

export class FakeBroker {
  /** The group's committed offset of each raw partition. */
  readonly committed = new Map<number, number>();
  /** What read_committed readers of the output topics see, in order. */
  readonly visible: Output[] = [];

  /** `partitions[p]` holds the values of raw partition p. */
  constructor(readonly partitions: Buffer[][]) {}

  commit(offsets: TopicPartitionOffset[]): void {
    for (const o of offsets) {
      if (o.topic !== RAW_TOPIC) throw new Error(`commit of unknown topic ${o.topic}`);
      this.committed.set(o.partition, o.offset);
    }
  }

  /** Every raw record's offset is committed. */
  allCommitted(): boolean {
    return this.partitions.every((values, p) => (this.committed.get(p) ?? 0) === values.length);
  }
}

export class FakeConsumer {
  generation = 0;
  readonly positions = new Map<number, number>();
  rewinds = 0;
  fetches = 0;
  commitSyncs: TopicPartitionOffset[][] = [];
  /** Called as a fetch starts, before it reads (fault injection). */
  onFetch: (() => void) | undefined;

  constructor(private readonly broker: FakeBroker) {}

  /** This fake where the loop wants a GroupConsumer: the loop uses generation, consumeBatch, rewindToCommitted, commitSync. */
  get asGroupConsumer(): GroupConsumer {
    return this as unknown as GroupConsumer;
  }

  async consumeBatch(max: number): Promise<MessageBatch> {
    this.fetches++;
    this.onFetch?.();
    // Read from the positions as the fetch starts; the answer comes later, from the client's worker thread.
    const messages: Message[] = [];
    // Round robin over the partitions, as a fetch spanning several of them.
    for (let more = true; more && messages.length < max; ) {
      more = false;
      for (let p = 0; p < this.broker.partitions.length && messages.length < max; p++) {
        const at = this.position(p);
        const value = this.broker.partitions[p]![at];
        if (value === undefined) continue;
        messages.push({ topic: RAW_TOPIC, partition: p, offset: at, value, size: value.length });
        this.positions.set(p, at + 1);
        more = true;
      }
    }
    await sleep(messages.length === 0 ? 5 : 1); // nothing new: the real client waits out its timeout
    return MessageBatch.fromMessages(messages);
  }

  async rewindToCommitted(): Promise<void> {
    this.rewinds++;
    this.seekToCommitted();
  }

  commitSync(offsets: TopicPartitionOffset[]): void {
    this.commitSyncs.push(offsets);
    this.broker.commit(offsets);
  }

  /** An assignment change: the client applies it and restarts every partition from its committed offset. */
  rebalance(): void {
    this.generation++;
    this.seekToCommitted();
  }

  private seekToCommitted(): void {
    for (let p = 0; p < this.broker.partitions.length; p++) this.positions.set(p, this.broker.committed.get(p) ?? 0);
  }

  private position(p: number): number {
    return this.positions.get(p) ?? this.broker.committed.get(p) ?? 0;
  }
}

type TxnCall = 'begin' | 'sendOffsets' | 'commit' | 'abort';

/**
 * A transactional producer: outputs and offsets of the open transaction
 * become visible at its commit, together. As the broker does, a commit fails
 * when a message of the transaction failed, or when the group generation
 * changed since the offsets were sent; a fenced producer fails every call.
 */
export class FakeTransactionalProducer implements OutputProducer {
  state: 'ready' | 'in-transaction' | 'fenced' = 'ready';
  readonly calls: TxnCall[] = [];
  private produced = 0;
  private pending: Output[] = [];
  /** The offsets sent into the open transaction, with the group generation they were sent in. */
  private offsets: { offsets: TopicPartitionOffset[]; generation: number; consumer: FakeConsumer } | null = null;
  private deliveryFailed = false;
  /** Fault injection: called with the 1-based number of each message produced; true makes its delivery fail. */
  onProduce: ((n: number) => boolean | void) | undefined;
  /** Fault injection: an error this call fails with (checked before it acts). */
  failCall: ((call: TxnCall) => Error | undefined) | undefined;

  constructor(private readonly broker: FakeBroker) {}

  readonly transactions = {
    begin: async (): Promise<void> => {
      this.call('begin');
      if (this.state !== 'ready') throw new Error(`begin while ${this.state}`);
      this.state = 'in-transaction';
    },
    sendOffsets: async (offsets: TopicPartitionOffset[], consumer: GroupConsumer): Promise<void> => {
      this.call('sendOffsets');
      this.inTransaction();
      const fake = consumer as unknown as FakeConsumer;
      this.offsets = { offsets, generation: fake.generation, consumer: fake };
    },
    commit: async (): Promise<void> => {
      this.call('commit');
      this.inTransaction();
      const sent = this.offsets;
      if (this.deliveryFailed) throw abortable('a message of the transaction failed');
      if (sent && sent.consumer.generation !== sent.generation) throw abortable('stale generation: the group rebalanced');
      this.broker.visible.push(...this.pending);
      if (sent) this.broker.commit(sent.offsets);
      this.reset('ready');
    },
    abort: async (): Promise<void> => {
      this.call('abort');
      this.reset('ready');
    },
  };

  produce(topic: string, key: Buffer | string | null, value: Uint8Array | null): void {
    if (this.state !== 'in-transaction') throw new Error(`produce while ${this.state}`);
    if (this.onProduce?.(++this.produced) === true) this.deliveryFailed = true;
    else this.pending.push({ topic, key: Buffer.from(key as Buffer), value: Buffer.from(value!) });
  }

  async flush(): Promise<void> {}

  setDeliveryHandler(): void {}

  /** A newer producer with the same transactional.id took over: its open transaction is aborted, every call fails. */
  fence(): void {
    this.reset('fenced');
  }

  private call(call: TxnCall): void {
    this.calls.push(call);
    if (this.state === 'fenced') throw fatal(`${call}: producer fenced`);
    const err = this.failCall?.(call);
    if (err) throw err;
  }

  private inTransaction(): void {
    if (this.state !== 'in-transaction') throw new Error(`no transaction open (${this.state})`);
  }

  private reset(state: FakeTransactionalProducer['state']): void {
    this.state = state;
    this.pending = [];
    this.offsets = null;
    this.deliveryFailed = false;
  }
}

/** A TransactionalSession over fake producers: a renewal fences the current one and opens the next. */
export class FakeSession implements TransactionalOutput {
  readonly producers: FakeTransactionalProducer[];

  constructor(private readonly broker: FakeBroker, private renewalsLeft: number, private readonly newProducer = (b: FakeBroker) => new FakeTransactionalProducer(b)) {
    this.producers = [newProducer(broker)];
  }

  get producer(): FakeTransactionalProducer {
    return this.producers.at(-1)!;
  }

  get transactions(): FakeTransactionalProducer['transactions'] {
    return this.producer.transactions;
  }

  mayRenew(): boolean {
    return this.renewalsLeft > 0;
  }

  async renew(): Promise<void> {
    this.renewalsLeft--;
    this.producer.fence();
    this.producers.push(this.newProducer(this.broker));
  }
}

/**
 * A plain producer: messages are written at once; their delivery reports
 * arrive when the test releases them (`deliver`), as the flush waits for them.
 */
export class FakePlainProducer implements OutputProducer {
  private handler: DeliveryHandler | undefined;
  private unreported: { output: Output; fail: boolean }[] = [];
  private flushes: (() => void)[] = [];
  private produced = 0;
  /** Fault injection: true makes that message (1-based) fail to deliver. */
  onProduce: ((n: number) => boolean | void) | undefined;
  /** Reports deliveries as soon as a flush waits (otherwise only on deliver()). */
  autoDeliver = true;

  constructor(private readonly broker: FakeBroker) {}

  get flushing(): boolean {
    return this.flushes.length > 0;
  }

  produce(topic: string, key: Buffer | string | null, value: Uint8Array | null): void {
    const fail = this.onProduce?.(++this.produced) === true;
    this.unreported.push({ output: { topic, key: Buffer.from(key as Buffer), value: Buffer.from(value!) }, fail });
  }

  setDeliveryHandler(handler: DeliveryHandler | undefined): void {
    this.handler = handler;
  }

  flush(): Promise<void> {
    const done = new Promise<void>((resolve) => this.flushes.push(resolve));
    if (this.autoDeliver) this.deliver();
    return done;
  }

  /** Every queued message is acknowledged (or fails) now, and waiting flushes return. */
  deliver(): void {
    for (const { output, fail } of this.unreported) {
      if (!fail) this.broker.visible.push(output);
      this.handler?.(fail ? (Object.assign(new Error('message timed out'), { code: -192 }) as unknown as LibrdKafkaError) : null, { topic: output.topic, partition: 0, offset: 0, size: output.value.length });
    }
    this.unreported = [];
    for (const resolve of this.flushes.splice(0)) resolve();
  }
}
