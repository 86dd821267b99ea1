// The transform step of the loop: a consumed batch decoded, validated,
// enriched and encoded into the outputs its transaction will hold. Produces
// nothing itself.
import {
  DecodeError, KeyBuffers, LATENCY_SAMPLE_EVERY, SlabEncoder, type AvroSerializer, type DeadLetter, type EnrichedTick, type FastPathReader, type MessageBatch, type RawTick,
} from '@stockstream/common';
import type { EnrichmentContext } from '../enrich/enrich-tick.js';
import { latestCalendarDay } from '../validation/epoch-day.js';
import { routeRecord } from './route-record.js';

/** A consumed batch, transformed: what to produce for it, ready for its transaction. */
export interface PreparedBatch {
  /** Assignment generation when the fetch started. */
  generation: number;
  messages: MessageBatch;
  outputs: { topic: string; key: Buffer; value: Buffer }[];
  out: number;
  dead: Map<string, number>;
  /** ingestedAt (epoch ms) of every LATENCY_SAMPLE_EVERY-th record, for the latency histogram once committed. */
  sampledIngestedAt: number[];
}

export interface TransformDeps {
  /** Reads raw-topic values where they lie in their batch (decode/raw-tick-reader.ts). */
  rawReader: Pick<FastPathReader<RawTick>, 'readAt'>;
  enriched: { topic: string; serializer: AvroSerializer<EnrichedTick> };
  deadLetters: { topic: string; serializer: AvroSerializer<DeadLetter> };
  context: () => Omit<EnrichmentContext, 'today' | 'now'>;
}

/** Outputs are encoded into shared slabs and keyed by cached Buffers: no fresh buffers per record. */
export interface Encoding {
  enriched: SlabEncoder<EnrichedTick>;
  deadLetters: SlabEncoder<DeadLetter>;
  keys: KeyBuffers;
}

export function newEncoding(deps: TransformDeps): Encoding {
  return { enriched: new SlabEncoder(deps.enriched.serializer), deadLetters: new SlabEncoder(deps.deadLetters.serializer), keys: new KeyBuffers() };
}

/**
 * Every output encoded so far has been produced (the client copied it) or
 * belongs to a batch that was dropped: the slabs are written again. Called
 * right after a batch's outputs were produced, when no other batch is
 * prepared (the next is read ahead only once this one commits).
 */
export function outputsProduced(encoding: Encoding): void {
  encoding.enriched.recycle();
  encoding.deadLetters.recycle();
}

/** Decodes, validates and enriches a batch and encodes its outputs; produces nothing. */
export async function prepareBatch(deps: TransformDeps, encoding: Encoding, generation: number, messages: MessageBatch): Promise<PreparedBatch> {
  const batch: PreparedBatch = { generation, messages, outputs: [], out: 0, dead: new Map(), sampledIngestedAt: [] };
  if (messages.length === 0) return batch;
  const now = Date.now();
  const ctx: EnrichmentContext = { ...deps.context(), today: latestCalendarDay(now), now };
  const data = messages.data;
  for (let i = 0; i < messages.length; i++) {
    const coords = { topic: messages.topic(i), partition: messages.partition(i), offset: messages.offset(i) };
    const start = messages.valueStart(i);
    const end = messages.valueEnd(i);
    let decoded: Parameters<typeof routeRecord>[0];
    try {
      const v = deps.rawReader.readAt(data, start, end);
      decoded = { ok: true, raw: v instanceof Promise ? await v : v };
    } catch (err) {
      // A message that can never be decoded is poison: dead-letter it. Anything else (registry down) fails the batch.
      if (!(err instanceof DecodeError)) throw err;
      decoded = { ok: false, bytes: start < 0 ? Buffer.alloc(0) : data.subarray(start, end), reason: err.reason, message: err.message };
    }
    if (decoded.ok && (i & (LATENCY_SAMPLE_EVERY - 1)) === 0) batch.sampledIngestedAt.push(decoded.raw.ingestedAt);
    const routed = routeRecord(decoded, coords, ctx);
    if (routed.kind === 'enriched') {
      batch.outputs.push({ topic: deps.enriched.topic, key: encoding.keys.get(routed.key), value: encoding.enriched.encode(routed.tick) });
      batch.out++;
    } else {
      batch.outputs.push({ topic: deps.deadLetters.topic, key: Buffer.from(routed.key), value: encoding.deadLetters.encode(routed.letter) });
      batch.dead.set(routed.reason, (batch.dead.get(routed.reason) ?? 0) + 1);
    }
  }
  return batch;
}
