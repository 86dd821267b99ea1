// Dashboards as code: builds every StockStream dashboard and writes it as
// deploy/grafana/dashboards/<uid>.json, the folder Grafana provisions.
//   node deploy/dist/src/dashboards/generate.js          write the JSON (and remove JSON no longer generated)
//   node deploy/dist/src/dashboards/generate.js --check  exit 1 if the committed JSON differs from the code
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { overviewDashboard } from './overview.js';
import { runtimeDashboard } from './runtime.js';

/** deploy/grafana/dashboards (from deploy/dist/src/dashboards). */
export const DASHBOARDS_DIR = fileURLToPath(new URL('../../../grafana/dashboards/', import.meta.url));

/** Every dashboard, as Grafana's JSON model (plain data). */
export function dashboards(): Dashboard[] {
  return [overviewDashboard(), runtimeDashboard()].map((d) => JSON.parse(JSON.stringify(d)) as Dashboard);
}

/** File name (<uid>.json) -> its JSON text: 2-space indent and a trailing newline. */
export function generateDashboards(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const d of dashboards()) {
    if (!d.uid) throw new Error(`dashboard "${d.title}" has no uid`);
    const name = `${d.uid}.json`;
    if (name in files) throw new Error(`two dashboards with uid ${d.uid}`);
    files[name] = `${JSON.stringify(d, null, 2)}\n`;
  }
  return files;
}

/** The *.json files of `dir` that differ from the code, are missing, or are no longer generated. */
export function staleDashboardFiles(dir = DASHBOARDS_DIR): string[] {
  const files = generateDashboards();
  const present = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.json')) : [];
  const stale = Object.entries(files)
    .filter(([name, text]) => !existsSync(join(dir, name)) || readFileSync(join(dir, name), 'utf8') !== text)
    .map(([name]) => name);
  return [...stale, ...present.filter((n) => !(n in files))].sort();
}

/** Writes every dashboard into `dir` and removes the JSON files no dashboard generates. */
export function writeDashboards(dir = DASHBOARDS_DIR): { written: string[]; removed: string[] } {
  const files = generateDashboards();
  mkdirSync(dir, { recursive: true });
  const removed = readdirSync(dir).filter((n) => n.endsWith('.json') && !(n in files));
  for (const n of removed) rmSync(join(dir, n));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { written: Object.keys(files), removed };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  if (process.argv.includes('--check')) {
    const stale = staleDashboardFiles();
    if (stale.length > 0) {
      console.error(`${stale.join(', ')} in ${DASHBOARDS_DIR} differ from the code: run node deploy/dist/src/dashboards/generate.js`);
      process.exit(1);
    }
    console.log(`${DASHBOARDS_DIR}: up to date`);
  } else {
    const { written, removed } = writeDashboards();
    console.log(`wrote ${written.join(', ')} to ${DASHBOARDS_DIR}${removed.length ? `; removed ${removed.join(', ')}` : ''}`);
  }
}
