// Measures one run of the benchmark: the processes it starts (their CPU and
// peak RSS from /proc, read every 200 ms and at the moment their work is
// done) and the shared broker, registry and S3 server (their CPU during the
// run, the largest RSS seen). Services run as real processes, started the way
// users start them.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopService, type ServiceRun } from '@stockstream/common/testing';
import type { ProcessFigures } from '../report/model.js';
import { commandLine, sampleTree, type TreeSample } from './proc-stats.js';

const SAMPLE_MS = 200;

export interface SpawnSpec {
  /** Name in the report; processes of one name are added up. */
  name: string;
  /** A StockStream service, held to the memory target. */
  service: boolean;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** A line of stdout that says the work is done: the figures are read then, not after the shutdown. */
  doneWhen?: RegExp;
}

export class MeasuredProcess implements ServiceRun {
  readonly child;
  readonly exited;
  private out = '';
  private err = '';
  private baseline = 0;
  private last: TreeSample | null = null;
  private settled = false;
  /** When the work was done (Date.now() at settle), or null while it runs. */
  settledAt: number | null = null;

  constructor(readonly spec: SpawnSpec) {
    const started = Date.now();
    this.child = spawn(spec.command, spec.args, { env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (d: Buffer) => {
      this.out += d.toString();
      if (spec.doneWhen && !this.settled && spec.doneWhen.test(this.out)) this.settle();
    });
    this.child.stderr.on('data', (d: Buffer) => (this.err += d.toString()));
    this.exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve) =>
      this.child.on('exit', (code, signal) => {
        this.settled = true;
        this.settledAt ??= Date.now();
        resolve({ code, signal, ms: Date.now() - started });
      }),
    );
  }

  stdout = () => this.out;
  stderr = () => this.err;

  sample(): void {
    if (this.settled || this.child.pid === undefined) return;
    const s = sampleTree(this.child.pid);
    if (s) this.last = s;
  }

  /** Counts CPU from now on: for services started before the clock (their start-up is not the run's work). */
  startClock(): void {
    this.sample();
    this.baseline = this.last?.cpuSeconds ?? 0;
  }

  /** Reads the figures one last time: the work is done, what follows (shutdown) is not counted. */
  settle(): void {
    if (this.settled) return;
    this.sample();
    this.settled = true;
    this.settledAt = Date.now();
  }

  /** Settles, then SIGTERM and the exit (SIGKILL and an error after 60 s). */
  async stop(): Promise<void> {
    this.settle();
    await stopService(this, 60_000);
  }

  /** Resolves when the process has ended with status 0; otherwise fails with its output's end. */
  async succeeded(): Promise<string> {
    const r = await this.exited;
    if (r.code !== 0) throw new Error(`${this.spec.name} exited ${r.code ?? r.signal}:\n${(this.err + this.out).slice(-3000)}`);
    return this.out;
  }

  figures(): { cpuSeconds: number; peakRssBytes: number | null } {
    return { cpuSeconds: Math.max(0, (this.last?.cpuSeconds ?? 0) - this.baseline), peakRssBytes: this.last?.peakRssBytes ?? null };
  }
}

/** A JVM of the shared stack, found by its pid file as stack.sh writes it. */
export interface StackProcess {
  name: string;
  pid: number;
}

/** The broker, registry and S3 server of the stack in `stackDir` (pid files in stackDir/pids); those not found are left out. */
export function stackProcesses(stackDir: string): StackProcess[] {
  const found: StackProcess[] = [];
  for (const [component, name] of [['kafka', 'broker'], ['registry', 'registry'], ['s3', 's3 server']] as const) {
    const file = join(stackDir, 'pids', `${component}.pid`);
    if (!existsSync(file)) continue;
    const pid = Number(readFileSync(file, 'utf8').trim());
    // A pid file is trusted only while that pid is still the stack's JVM (pids are reused), as stack.sh does.
    if (Number.isInteger(pid) && commandLine(pid).includes('-Dstockstream.stack=')) found.push({ name, pid });
  }
  return found;
}

interface Watched {
  proc: StackProcess;
  first: TreeSample | null;
  last: TreeSample | null;
  maxRss: number | null;
}

export class RunMeter {
  private readonly processes: MeasuredProcess[] = [];
  private readonly stack: Watched[];
  private readonly timer: NodeJS.Timeout;

  constructor(stack: readonly StackProcess[]) {
    this.stack = stack.map((proc) => ({ proc, first: null, last: null, maxRss: null }));
    this.sample();
    for (const w of this.stack) w.first = w.last;
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  spawn(spec: SpawnSpec): MeasuredProcess {
    const p = new MeasuredProcess(spec);
    this.processes.push(p);
    return p;
  }

  private sample(): void {
    for (const p of this.processes) p.sample();
    for (const w of this.stack) {
      const s = sampleTree(w.proc.pid);
      if (!s) continue;
      w.last = s;
      if (s.rssBytes !== null) w.maxRss = Math.max(w.maxRss ?? 0, s.rssBytes);
    }
  }

  /** SIGKILLs what still runs (a run that failed half-way must leave no service consuming). */
  killAll(): void {
    clearInterval(this.timer);
    for (const p of this.processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  }

  /** Ends the run: its processes' figures, and the stack's over the run. Call after the processes have settled. */
  finish(): ProcessFigures[] {
    this.sample();
    clearInterval(this.timer);
    const out = new Map<string, ProcessFigures>();
    for (const p of this.processes) {
      const f = p.figures();
      const had = out.get(p.spec.name);
      out.set(p.spec.name, {
        name: p.spec.name, service: p.spec.service, rss: 'peak',
        count: (had?.count ?? 0) + 1,
        cpuSeconds: (had?.cpuSeconds ?? 0) + f.cpuSeconds,
        peakRssBytes: f.peakRssBytes === null ? (had?.peakRssBytes ?? null) : Math.max(had?.peakRssBytes ?? 0, f.peakRssBytes),
      });
    }
    for (const w of this.stack) {
      if (!w.first || !w.last) continue;
      out.set(w.proc.name, { name: w.proc.name, service: false, rss: 'sampled', count: 1, cpuSeconds: w.last.cpuSeconds - w.first.cpuSeconds, peakRssBytes: w.maxRss });
    }
    return [...out.values()];
  }
}
