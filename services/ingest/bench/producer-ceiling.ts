// The ceiling for ingest: the same producer client and settings sending the
// same number of pre-encoded records of the same size, keyed the same way,
// with no CSV parsing and no Avro encoding. Run as its own process, like the
// service, and prints one JSON line. It produces the way the publisher does:
// keys as ready-made Buffers, in transactions committed every
// INGEST_COMMIT_INTERVAL_MS (the same TransactionWindow), reports of failed
// deliveries only, a yield to the event loop every YIELD_EVERY messages; only
// the latency sampling and metrics are left out.
import { randomBytes, randomUUID } from 'node:crypto';
import { KafkaProducer, Transactions, createLogger, loadConfig } from '@stockstream/common';
import { ingestSettings } from '../src/config.js';
import { YIELD_EVERY } from '../src/publish/publish-machine.js';
import { TransactionWindow } from '../src/publish/transaction-window.js';

const [topic, countText, sizeText] = process.argv.slice(2);
const count = Number(countText);
const size = Number(sizeText);
if (!topic || !(count > 0) || !(size > 0)) {
  process.stderr.write('usage: producer-ceiling <topic> <count> <valueBytes>\n');
  process.exit(64);
}
const cfg = loadConfig(ingestSettings);
const logger = createLogger('bench', 'warn');
const producer = await KafkaProducer.connect(cfg, logger, {
  clientId: 'stockstream-bench-ceiling', transactionalId: `stockstream-bench-ceiling-${randomUUID()}`, deliveryReports: 'failures',
});
const transactions = new Transactions(producer);
await transactions.init();
const keys = ['NYA', 'IXIC', 'HSI', '000001.SS', 'GSPTSE', 'N225', 'N100', '399001.SZ', 'NSEI', 'TWII', 'GDAXI', 'KS11', 'SSMI', 'J203.JO'].map((k) => Buffer.from(k));
// A pool of distinct values so compression sees varied data, not one repeated buffer.
const pool = Array.from({ length: 1024 }, () => randomBytes(size));
let acked = 0;
let failed = 0;
producer.setDeliveryHandler((err) => {
  if (err) failed++;
});
const window = new TransactionWindow(transactions, cfg.commitIntervalMs, (tally) => (acked += tally.published));
const started = performance.now();
await window.open();
for (let i = 0; i < count; i++) {
  window.current.published++;
  const q = producer.produce(topic, keys[i % keys.length]!, pool[i % pool.length]!);
  if (q) await q;
  if (i % YIELD_EVERY === YIELD_EVERY - 1) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (window.dueAt(performance.now())) await window.commit();
    await window.open();
  }
}
await window.commit();
const seconds = (performance.now() - started) / 1000;
await producer.disconnect();
process.stdout.write(JSON.stringify({ acked, failed, seconds, recordsPerSecond: acked / seconds, mbPerSecond: (acked * size) / 1e6 / seconds }) + '\n');
