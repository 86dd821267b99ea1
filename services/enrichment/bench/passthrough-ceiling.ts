// The ceiling for enrichment: the same consumer and producer clients and
// settings copying the same records from the raw topic to another topic, with
// no Avro decoding, validation or encoding. Prints one JSON line.
import { randomUUID } from 'node:crypto';
import { GroupConsumer, KafkaProducer, consumerPrefetchSettings, createLogger, kafkaSettings, loadConfig } from '@stockstream/common';
import { nextOffsets } from '../src/pipeline/processor-decisions.js';

const [from, to, countText, batchText] = process.argv.slice(2);
const count = Number(countText);
const batch = Number(batchText ?? 5000);
if (!from || !to || !(count > 0)) {
  process.stderr.write('usage: passthrough-ceiling <from> <to> <count> [batch]\n');
  process.exit(64);
}
const cfg = loadConfig(kafkaSettings);
const logger = createLogger('bench', 'warn');
const consumer = await GroupConsumer.connect(cfg, logger, { groupId: `bench-${randomUUID()}`, clientId: 'bench-ceiling', topics: [from], isolation: 'read_committed', prefetch: loadConfig(consumerPrefetchSettings) });
// Reports of failures only, as the exactly-once producer: the cheapest setting of the client, so a true ceiling.
const producer = await KafkaProducer.connect(cfg, logger, { clientId: 'bench-ceiling', deliveryReports: 'failures', overrides: { 'message.timeout.ms': 60_000 } });
let copied = 0;
let started = 0;
while (copied < count) {
  // As the enrichment reads them: as columns (GroupConsumer.consumeBatch).
  const messages = await consumer.consumeBatch(batch, 500);
  if (messages.length > 0 && started === 0) started = performance.now();
  for (let i = 0; i < messages.length; i++) {
    const q = producer.produce(to, messages.key(i), messages.value(i)!);
    if (q) await q;
  }
  copied += messages.length;
  await producer.flush();
  if (messages.length > 0) consumer.commitSync(nextOffsets(messages)); // as the at-least-once mode does
}
const seconds = (performance.now() - started) / 1000;
await consumer.disconnect();
await producer.disconnect();
process.stdout.write(JSON.stringify({ copied, seconds, recordsPerSecond: copied / seconds }) + '\n');
