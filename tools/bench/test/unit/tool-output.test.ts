import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConsumerPerf, parseJsonLine, parseLandings, parseProducerPerf, parseQueryOutput } from '../../src/runs/tool-output.js';

// Printed by Kafka 4.4.0's tools on the local stack.
const PRODUCER = `5001 records sent, 1000.2 records/sec (0.08 MB/sec), 30.1 ms avg latency, 378.0 ms max latency.
20000 records sent, 9633.911368 records/sec (0.80 MB/sec), 38.60 ms avg latency, 378.00 ms max latency, 36 ms 50th, 79 ms 95th, 82 ms 99th, 82 ms 99.9th.
`;
const CONSUMER = `start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
2026-12-03 22:35:29:015, 2026-12-03 22:35:31:452, 1.6594, 0.6809, 20000, 8206.8117, 1332, 1105, 1.5017, 18099.5475
`;

describe('Kafka perf tools', () => {
  it('producer: the closing line, not a progress line', () => {
    assert.deepEqual(parseProducerPerf(PRODUCER), { records: 20000, recordsPerSecond: 9633.911368, mbPerSecond: 0.8 });
    assert.equal(parseProducerPerf(PRODUCER.split('\n')[0]!), null);
  });

  it('consumer: the fetch rate, without the group join', () => {
    assert.deepEqual(parseConsumerPerf(CONSUMER), { records: 20000, recordsPerSecond: 18099.5475, mbPerSecond: 1.5017, rebalanceMs: 1332 });
    assert.equal(parseConsumerPerf('WARNING: Exiting before consuming the expected number of records\n'), null);
  });
});

describe('our own programs', () => {
  it('a ceiling script\'s last line is its JSON', () => {
    assert.deepEqual(parseJsonLine('{"a":1}\n{"acked":5,"seconds":0.5}\n'), { acked: 5, seconds: 0.5 });
    assert.throws(() => parseJsonLine('Error: broker unreachable\n'), /expected a JSON line/);
  });

  it('stockstream query: the lake line and each query\'s time', () => {
    const stderr = 'lake s3://b/lake/ticks: 1812 objects, 31.4 MB (1812 fetched) in 2.31 s\n';
    const stdout = '\nLatest close in USD per index (0.104 s)\n| index | date |\n\nYearly average close in USD per index (last 5 years of each index) (0.033 s)\n| x |\n';
    assert.deepEqual(parseQueryOutput(stdout, stderr), {
      objects: 1812, megabytes: 31.4, fetchSeconds: 2.31,
      queries: [{ title: 'Latest close in USD per index', seconds: 0.104 }, { title: 'Yearly average close in USD per index (last 5 years of each index)', seconds: 0.033 }],
    });
    assert.equal(parseQueryOutput(stdout, 'query failed: no such bucket\n'), null);
  });

  it('the sink\'s landing lines among its other log lines', () => {
    const log = [
      '{"level":30,"time":1,"msg":"sinking"}',
      '{"level":20,"time":1764806400123,"key":"lake/ticks/index=HSI/year=1999/t+0+0+9.parquet","records":10,"bytes":900,"landedAt":1764806400123,"msg":"object landed"}',
      '{"level":20,"key":"lake/ticks/index=N225',
    ].join('\n');
    assert.deepEqual(parseLandings(log), [{ key: 'lake/ticks/index=HSI/year=1999/t+0+0+9.parquet', records: 10, landedAt: 1764806400123 }]);
  });
});
