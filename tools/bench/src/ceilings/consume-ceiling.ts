// The ceiling for the sink: the same consumer client and settings reading the
// same records (read_committed, batches of columns of the sink's size,
// asynchronous commits), with no decoding, files or uploads. Prints one JSON
// line when done, before disconnecting (the end of its work for a measurer).
//   node consume-ceiling.js <topic> <count>
import { randomUUID } from 'node:crypto';
import { CODES, GroupConsumer, consumerPrefetchSettings, createLogger, kafkaSettings, loadConfig } from '@stockstream/common';

const ERR_ASSIGN_PARTITIONS = CODES.ERRORS.ERR__ASSIGN_PARTITIONS;
import { nextOffsets } from '@stockstream/enrichment/dist/src/pipeline/processor-decisions.js';
import { SINK_BATCH_MAX } from '@stockstream/s3-sink/dist/src/config.js';

const [topic, countText] = process.argv.slice(2);
const count = Number(countText);
if (!topic || !(count > 0)) {
  process.stderr.write('usage: consume-ceiling <topic> <count>\n');
  process.exit(64);
}
const consumer = await GroupConsumer.connect(loadConfig(kafkaSettings), createLogger('bench', 'warn'), {
  groupId: `bench-consume-${randomUUID()}`, clientId: 'bench-consume-ceiling', topics: [topic], isolation: 'read_committed',
  prefetch: loadConfig(consumerPrefetchSettings),
});
let consumed = 0;
let bytes = 0;
// From the assignment, when fetching can begin: from the first record, the clock would miss the first fetches,
// which land most of a small topic at once (the sink's clock in make bench starts at its assignment too).
let started = 0;
consumer.native.on('rebalance', (err: { code?: number } | null) => {
  if (err?.code === ERR_ASSIGN_PARTITIONS && started === 0) started = performance.now();
});
while (consumed < count) {
  const batch = await consumer.consumeBatch(SINK_BATCH_MAX, 500);
  if (batch.length === 0) continue;
  for (let i = 0; i < batch.length; i++) bytes += batch.valueEnd(i) - batch.valueStart(i);
  consumed += batch.length;
  consumer.commitAsync(nextOffsets(batch));
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify({ consumed, bytes, seconds, recordsPerSecond: consumed / seconds, mbPerSecond: bytes / 1e6 / seconds }) + '\n');
await consumer.disconnect();
