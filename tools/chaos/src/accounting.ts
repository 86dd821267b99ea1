// The final accounting of a chaos run: what was expected against what the
// lake and the dead-letter topic hold, and whether they differ. Pure.

import type { DeadLetterId } from './expected-outcome.js';

export interface LakeCheck {
  /** count(*) over the lake. */
  rows: number;
  /** Distinct (source_name, source_line). */
  distinct: number;
  /** Expected rows absent from the lake. */
  missing: number;
  /** Lake rows no fault-free run gives. */
  unexpected: number;
  /** Rows present in both whose compared columns differ. */
  different: number;
  /** A few offending rows, for the report. */
  examples: string[];
}

export interface DeadLetterCheck {
  byReason: { stage: string; reason: string; expected: number; found: number }[];
  /** Expected dead letters not found, found ones not expected, and ones found more than once. */
  missing: DeadLetterId[];
  unexpected: DeadLetterId[];
  duplicated: DeadLetterId[];
}

const idKey = (d: DeadLetterId) => `${d.stage}|${d.reason}|${d.record}`;

export function checkDeadLetters(expected: readonly DeadLetterId[], found: readonly DeadLetterId[]): DeadLetterCheck {
  const want = new Map<string, DeadLetterId>();
  for (const d of expected) want.set(idKey(d), d);
  const seen = new Map<string, number>();
  const unexpected: DeadLetterId[] = [];
  const duplicated: DeadLetterId[] = [];
  for (const d of found) {
    const k = idKey(d);
    const n = (seen.get(k) ?? 0) + 1;
    seen.set(k, n);
    if (!want.has(k)) unexpected.push(d);
    else if (n === 2) duplicated.push(d);
  }
  const missing = [...want.entries()].filter(([k]) => !seen.has(k)).map(([, d]) => d);
  const reasons = new Map<string, { stage: string; reason: string; expected: number; found: number }>();
  const row = (d: DeadLetterId) => {
    const k = `${d.stage}|${d.reason}`;
    let r = reasons.get(k);
    if (!r) reasons.set(k, (r = { stage: d.stage, reason: d.reason, expected: 0, found: 0 }));
    return r;
  };
  for (const d of expected) row(d).expected++;
  for (const d of found) row(d).found++;
  const stageOrder = ['INGEST', 'ENRICHMENT', 'SINK'];
  const byReason = [...reasons.values()].sort((a, b) => stageOrder.indexOf(a.stage) - stageOrder.indexOf(b.stage) || a.reason.localeCompare(b.reason));
  return { byReason, missing, unexpected, duplicated };
}

export interface Accounting {
  generatedRows: number;
  injectedRows: number;
  poisonMessages: number;
  expectedLakeRows: number;
  lake: LakeCheck;
  deadLetters: DeadLetterCheck;
  /** Per service: restarts after our SIGKILLs, after exits of its own, and whether it ended healthy. */
  services: { name: string; kills: number; ownExits: number; healthyAtEnd: boolean; note: string }[];
}

/** Every difference as one sentence; none means the run passed. */
export function differences(a: Accounting): string[] {
  const out: string[] = [];
  const l = a.lake;
  if (l.rows !== a.expectedLakeRows) out.push(`lake has ${l.rows} rows, expected ${a.expectedLakeRows}`);
  if (l.rows !== l.distinct) out.push(`lake has ${l.rows - l.distinct} duplicated rows`);
  if (l.missing > 0) out.push(`${l.missing} expected rows are missing from the lake`);
  if (l.unexpected > 0) out.push(`${l.unexpected} lake rows are not expected`);
  if (l.different > 0) out.push(`${l.different} lake rows differ from a fault-free run`);
  const d = a.deadLetters;
  if (d.missing.length > 0) out.push(`${d.missing.length} expected dead letters are missing (e.g. ${fmt(d.missing[0]!)})`);
  if (d.unexpected.length > 0) out.push(`${d.unexpected.length} dead letters are not expected (e.g. ${fmt(d.unexpected[0]!)})`);
  if (d.duplicated.length > 0) out.push(`${d.duplicated.length} dead letters are there more than once (e.g. ${fmt(d.duplicated[0]!)})`);
  for (const s of a.services) if (!s.healthyAtEnd) out.push(`${s.name} is not healthy at the end: ${s.note}`);
  return out;
}

const fmt = (d: DeadLetterId) => `${d.stage} ${d.reason} ${d.record}`;

/** The accounting as the table `make chaos` prints. */
export function formatAccounting(a: Accounting): string {
  const l = a.lake;
  const lines = [
    'accounting',
    `  input rows generated         ${a.generatedRows.toLocaleString('en-US')} valid + ${a.injectedRows} injected bad rows + ${a.poisonMessages} poison messages`,
    `  lake rows expected           ${a.expectedLakeRows.toLocaleString('en-US')}`,
    `  lake rows (SQL count(*))     ${l.rows.toLocaleString('en-US')}`,
    `  distinct records             ${l.distinct.toLocaleString('en-US')}`,
    `  duplicated / missing         ${l.rows - l.distinct} / ${l.missing}`,
    `  unexpected / different       ${l.unexpected} / ${l.different}`,
    '  dead letters (read_committed)    expected  found',
    ...a.deadLetters.byReason.map((r) => `    ${`${r.stage} ${r.reason}`.padEnd(30)} ${String(r.expected).padStart(8)} ${String(r.found).padStart(6)}${r.expected === r.found ? '' : '  <-- differs'}`),
    '  services                    SIGKILLed  exited by itself  healthy at end',
    ...a.services.map((s) => `    ${s.name.padEnd(26)} ${String(s.kills).padStart(6)} ${String(s.ownExits).padStart(17)}  ${s.healthyAtEnd ? 'yes' : `NO (${s.note})`}`),
  ];
  for (const e of l.examples) lines.push(`  e.g. ${e}`);
  return lines.join('\n');
}
