// chart.svg: throughput of each stage and of the pipeline next to its
// same-run ceiling, and the latency curves (ingestedAt → object in S3).
// Written by hand from the report's data: no charting dependency. Pure.
import type { BenchReport, RunFigures } from './model.js';
import { figure, ratio } from './targets.js';

const WIDTH = 900;
const LABEL_W = 230;
const BAR_H = 14;
const PAIR_H = 44;
const COLORS = { run: '#2b6cb0', ceiling: '#a0aec0', curves: ['#2b6cb0', '#dd6b20', '#38a169', '#805ad5'] };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const text = (x: number, y: number, s: string, attrs = '') => `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`;

/** A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten, at least `max`. */
export function niceCeiling(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 5, 10].map((k) => k * p).find((v) => v >= max))!;
}

function throughputPanel(runs: readonly RunFigures[], top: number): { svg: string[]; height: number } {
  const compared = runs.filter((r) => r.ceiling !== null && runs.some((c) => c.id === r.ceiling));
  const svg: string[] = [];
  svg.push(text(20, top + 20, 'Records/s of each stage (blue) against its same-run ceiling (grey)', 'font-weight="bold"'));
  const axisMax = niceCeiling(Math.max(1, ...compared.flatMap((r) => [r.recordsPerSecond, runs.find((c) => c.id === r.ceiling)!.recordsPerSecond])));
  const plotW = WIDTH - LABEL_W - 90;
  const x = (v: number) => LABEL_W + (v / axisMax) * plotW;
  let y = top + 40;
  for (const r of compared) {
    const c = runs.find((k) => k.id === r.ceiling)!;
    const q = ratio(r.recordsPerSecond, c.recordsPerSecond)!;
    svg.push(text(LABEL_W - 8, y + BAR_H - 2, r.title, 'text-anchor="end"'));
    svg.push(text(LABEL_W - 8, y + 2 * BAR_H + 2, c.title, 'text-anchor="end" fill="#718096"'));
    svg.push(`<rect x="${LABEL_W}" y="${y}" width="${(x(r.recordsPerSecond) - LABEL_W).toFixed(1)}" height="${BAR_H}" fill="${COLORS.run}"/>`);
    svg.push(`<rect x="${LABEL_W}" y="${y + BAR_H + 2}" width="${(x(c.recordsPerSecond) - LABEL_W).toFixed(1)}" height="${BAR_H}" fill="${COLORS.ceiling}"/>`);
    svg.push(text(x(r.recordsPerSecond) + 4, y + BAR_H - 2, `${figure(r.recordsPerSecond)}/s (${q.toFixed(2)})`));
    svg.push(text(x(c.recordsPerSecond) + 4, y + 2 * BAR_H + 1, `${figure(c.recordsPerSecond)}/s`, 'fill="#718096"'));
    y += PAIR_H;
  }
  svg.push(`<line x1="${LABEL_W}" y1="${top + 34}" x2="${LABEL_W}" y2="${y - 8}" stroke="#4a5568"/>`);
  svg.push(text(LABEL_W, y + 6, '0', 'text-anchor="middle" fill="#718096"'), text(x(axisMax), y + 6, `${figure(axisMax)} records/s`, 'text-anchor="end" fill="#718096"'));
  return { svg, height: y + 20 - top };
}

function latencyPanel(runs: readonly RunFigures[], top: number): { svg: string[]; height: number } {
  const withLatency = runs.filter((r) => r.latency !== null);
  if (withLatency.length === 0) return { svg: [], height: 0 };
  const svg: string[] = [];
  const H = 220;
  const left = 70;
  const plotW = WIDTH - left - 40;
  svg.push(text(20, top + 20, 'Latency from ingestedAt to the object in S3: share of records landed within x seconds', 'font-weight="bold"'));
  const axisMax = niceCeiling(Math.max(...withLatency.map((r) => r.latency!.seconds.max)));
  const y0 = top + 40 + H;
  const x = (s: number) => left + (Math.max(0, s) / axisMax) * plotW;
  const y = (pct: number) => y0 - (pct / 100) * H;
  svg.push(`<line x1="${left}" y1="${y0}" x2="${left + plotW}" y2="${y0}" stroke="#4a5568"/>`, `<line x1="${left}" y1="${y0}" x2="${left}" y2="${y(100)}" stroke="#4a5568"/>`);
  for (const pct of [50, 99]) svg.push(`<line x1="${left}" y1="${y(pct).toFixed(1)}" x2="${left + plotW}" y2="${y(pct).toFixed(1)}" stroke="#e2e8f0" stroke-dasharray="4 3"/>`);
  for (const pct of [0, 50, 100]) svg.push(text(left - 6, y(pct) + 4, `${pct}%`, 'text-anchor="end" fill="#718096"'));
  svg.push(text(left + plotW, y(99) - 3, '99%', 'text-anchor="end" fill="#718096"'));
  for (let i = 0; i <= 5; i++) svg.push(text(x((axisMax * i) / 5), y0 + 16, `${figure((axisMax * i) / 5)} s`, 'text-anchor="middle" fill="#718096"'));
  withLatency.forEach((r, i) => {
    const color = COLORS.curves[i % COLORS.curves.length]!;
    const curve = r.latency!.curve;
    // A step curve: pct% of the records landed within curve[pct - 1] seconds.
    const pts = [`${x(r.latency!.seconds.min).toFixed(1)},${y(0).toFixed(1)}`, ...curve.map((s, k) => `${x(s).toFixed(1)},${y(k + 1).toFixed(1)}`)];
    svg.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>`);
    const d = r.latency!.seconds;
    svg.push(text(left + 10, top + 56 + i * 16, `${r.title}: p50 ${figure(d.p50)} s, p99 ${figure(d.p99)} s`, `fill="${color}"`));
  });
  return { svg, height: H + 70 };
}

export function renderChart(report: BenchReport): string {
  const a = throughputPanel(report.runs, 0);
  const b = latencyPanel(report.runs, a.height + 10);
  const height = a.height + 10 + b.height + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...a.svg,
    ...b.svg,
    '</svg>',
    '',
  ].join('\n');
}
