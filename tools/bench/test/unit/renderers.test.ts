import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { benchVerdicts } from '../../src/report/bench-targets.js';
import { niceCeiling, renderChart } from '../../src/report/chart-svg.js';
import { cpuCell, renderMarkdown, rssCell } from '../../src/report/markdown.js';
import { report } from './support/sample-report.js';

const sample = () => {
  const r = report();
  r.verdicts = benchVerdicts(r.runs);
  return r;
};

describe('the Markdown report', () => {
  it('has a row per run with its ratio to its own ceiling and figures per process', () => {
    const md = renderMarkdown(sample());
    assert.match(md, /^# StockStream benchmark, 2026-12-03 23:00 UTC$/m);
    assert.match(md, /^\| ingest \| 1,000,000 \| 5 \| 200,000 \| 87 \| 0.80 of producer ceiling \| ingest 9, broker 4 \| ingest 180, broker ~900 \|$/m);
    assert.match(md, /^\| s3-sink \| 1,000,000 \| 10 \| 100,000 \|  \| 0.30 of consume ceiling \|/m);
    assert.match(md, /^\| pipeline, full speed \| SINK_ROTATE_IDLE_MS=1000 \| 5 \| 2 s \| 9 s \| 9 s \| 9 s \|$/m);
    assert.match(md, /^\| latest_close_usd \| 0.12 s \| 0.08 s \|$/m);
    assert.match(md, /^- ✘ 1M records end to end: 12.5 s \(target at most 10 s\): missed by 25%$/m);
    assert.match(md, /^- ✔ ingest peak RSS: 180 MiB \(target at most 256 MiB\)$/m);
    assert.match(md, /^- the machine was busy$/m);
  });

  it('CPU per million records and RSS per kind of process, counting processes that ran side by side', () => {
    const procs = [{ name: 'ingest', count: 3, cpuSeconds: 6, peakRssBytes: 150 * 2 ** 20, rss: 'peak' as const, service: true }];
    assert.equal(cpuCell({ records: 2_000_000, processes: procs }), 'ingest ×3 3');
    assert.equal(rssCell(procs), 'ingest ×3 150');
    assert.equal(rssCell([{ ...procs[0]!, peakRssBytes: null }]), '');
  });
});

describe('the chart', () => {
  it('draws each stage next to its ceiling and one latency curve per run, as well-formed SVG', () => {
    const svg = renderChart(sample());
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    assert.match(svg, />ingest<\/text>/);
    assert.match(svg, />200,000\/s \(0.80\)<\/text>/);
    assert.match(svg, />producer ceiling<\/text>/);
    assert.equal((svg.match(/<polyline /g) ?? []).length, 1);
    assert.match(svg, />pipeline, full speed: p50 2 s, p99 9 s<\/text>/);
    // every opened element is closed or self-closing
    const opened = (svg.match(/<(svg|text)\b/g) ?? []).length;
    const closed = (svg.match(/<\/(svg|text)>/g) ?? []).length;
    assert.equal(opened, closed);
    assert.doesNotMatch(svg, /NaN|undefined/);
  });

  it('rounds axes up to 1, 2 or 5 times a power of ten', () => {
    assert.equal(niceCeiling(333_333), 500_000);
    assert.equal(niceCeiling(100_000), 100_000);
    assert.equal(niceCeiling(9.2), 10);
    assert.equal(niceCeiling(0), 1);
  });
});
