import { randomBytes, randomUUID } from 'node:crypto';
import { KafkaProducer, KafkaAdmin, Transactions, createLogger, kafkaSettings, loadConfig } from '@stockstream/common';
const [mode, batchText, sizeText] = process.argv.slice(2);
const batch = Number(batchText), size = Number(sizeText ?? 170);
const cfg = loadConfig(kafkaSettings); const logger = createLogger('x', 'warn');
const topic = `exp.flush.${randomUUID().slice(0, 6)}`;
const admin = await KafkaAdmin.connect(cfg, 'exp'); await admin.ensureTopics([{ name: topic, partitions: 6, replicationFactor: 1, config: {} }], logger); admin.disconnect();
const txnMode = mode === 'txn';
const p = await KafkaProducer.connect(cfg, logger, { clientId: 'exp', deliveryReports: 'failures', ...(txnMode ? { transactionalId: 'exp-' + randomUUID() } : {}) });
const txn = txnMode ? new Transactions(p) : null; if (txn) await txn.init();
const keys = ['NYA','IXIC','HSI','000001.SS','GSPTSE','N225','N100','399001.SZ','NSEI','TWII','GDAXI','KS11','SSMI','J203.JO'].map((k) => Buffer.from(k));
const pool = Array.from({ length: 1024 }, () => randomBytes(size));
let tp = 0, tf = 0; const rounds = 30; let t0;
for (let r = 0; r < rounds + 3; r++) {
  if (r === 3) { tp = tf = 0; t0 = performance.now(); }
  let t = performance.now();
  if (txn) await txn.begin();
  for (let i = 0; i < batch; i++) { const q = p.produce(topic, keys[i % 14], pool[i % 1024]); if (q) await q; }
  tp += performance.now() - t; t = performance.now();
  if (txn) await txn.commit(); else await p.flush(60000);
  tf += performance.now() - t;
}
const total = performance.now() - t0;
console.log(JSON.stringify({ mode, batch, size, producePerBatchMs: +(tp / rounds).toFixed(1), flushPerBatchMs: +(tf / rounds).toFixed(1), rps: Math.round(rounds * batch / total * 1000) }));
await p.disconnect();
