// Support for integration tests on the real local stack (or any cluster the
// environment points at). Shipped in the library so every service's tests use
// the same helpers; never imported by service code.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { after } from 'node:test';
import { dirname, join } from 'node:path';
import { kafkaSettings, registrySettings } from '../config/common-settings.js';
import { loadConfig } from '../config/settings.js';
import type { KafkaConfig } from '../kafka/client-config.js';
import { decodeTopic, type DecodedMessage } from '../serde/decode-topic.js';
import { defaultSchemasDir, type SchemaName } from '../serde/schema-files.js';
import { SchemaRegistryClient, type RegistryConfig } from '../serde/schema-registry.js';

export function testKafkaConfig(overrides: Partial<KafkaConfig> = {}): KafkaConfig {
  return { ...loadConfig(kafkaSettings), ...overrides };
}

export function testRegistryConfig(): RegistryConfig {
  return loadConfig(registrySettings);
}

/** Topic names unique to one test, as the TOPIC_* variables the services read. */
export function uniqueTopics(label: string): { raw: string; enriched: string; dlq: string; fx: string; env: Record<string, string> } {
  const id = `${label}-${randomUUID().slice(0, 8)}`;
  const t = { raw: `it.${id}.raw`, enriched: `it.${id}.enriched`, dlq: `it.${id}.dlq`, fx: `it.${id}.fx` };
  return { ...t, env: { TOPIC_RAW: t.raw, TOPIC_ENRICHED: t.enriched, TOPIC_DLQ: t.dlq, TOPIC_FX: t.fx, TOPIC_PARTITIONS: '3' } };
}

export interface DatasetFile {
  path: string;
  /** node:test `skip` option: false when the file is there, else the reason, so the test reports skipped, never passed. */
  skip: string | false;
}

/** A file of the public data set: in STOCKSTREAM_DATASETS, else in the default folder below (outside the repository). */
export function datasetFile(name: string): DatasetFile {
  const dir = process.env.STOCKSTREAM_DATASETS || join(dirname(defaultSchemasDir()), '..', 'shared', 'datasets');
  const path = join(dir, name);
  return { path, skip: existsSync(path) ? false : `${path} not found (set STOCKSTREAM_DATASETS to the public data directory)` };
}

export interface ServiceRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal's name) and how long the process ran. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/**
 * Starts a compiled service entry point as a real child process. Under
 * node:test, one still running when the test (or suite hook) that started it
 * ends is killed: an assertion failing before its stop must not leave a
 * service holding its HTTP port and consuming from the next test's topics.
 */
export function runService(script: string, args: string[], env: Record<string, string>): ServiceRun {
  const started = Date.now();
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', HTTP_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // NODE_TEST_CONTEXT: set by `node --test` in the processes that run test files (benchmarks import this module too).
  if (process.env.NODE_TEST_CONTEXT) {
    after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
  }
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - started })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/**
 * SIGTERM, then the exit within `timeoutMs`; a service still running then is
 * SIGKILLed and the stop fails with the tail of its log (and, where gdb is
 * installed, where its threads were stuck), so a hung service makes a test
 * fail with a reason instead of hanging it.
 */
export async function stopService(run: ServiceRun, timeoutMs = 45_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  const r = await Promise.race([run.exited, late]);
  clearTimeout(timer);
  if (r !== 'late') return r;
  const stacks = run.child.pid === undefined ? '' : nativeStacks(run.child.pid);
  run.child.kill('SIGKILL');
  await run.exited;
  // The stacks first: CI shows the start and the end of a long failure message, not its middle.
  throw new Error(`service did not exit within ${timeoutMs} ms of SIGTERM (SIGKILLed)${stacks}\nits log ends:\n${logTail(run.stderr() + run.stdout(), 3000)}`);
}

/**
 * The last `maxChars` of a service's output with runs of the same JSON log
 * message (a client error repeated every few ms while a broker is away)
 * collapsed into their first line and a count, so the tail shows what
 * happened rather than one message over and over.
 */
export function logTail(output: string, maxChars: number): string {
  const out: string[] = [];
  let lastKey = '';
  let repeats = 0;
  const flush = () => {
    if (repeats > 0) out.push(`  (the line above ${repeats} more times)`);
    repeats = 0;
  };
  for (const line of output.split('\n')) {
    const key = line.replace(/"time":"[^"]*",?/, '');
    if (key === lastKey && line !== '') {
      repeats++;
      continue;
    }
    flush();
    out.push(line);
    lastKey = key;
  }
  flush();
  return out.join('\n').slice(-maxChars);
}

/** SIGKILL: the crash a test wants; resolves once the process is gone. */
export function killService(run: ServiceRun): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  run.child.kill('SIGKILL');
  return run.exited;
}

/**
 * The native stack of every thread of a live process, shortened to the frames
 * that tell where it waits (the binding's workers, librdkafka, libuv), or ''
 * when gdb is not installed or cannot attach the threads' names and kernel
 * wait channels from /proc. A hang that only shows on a CI
 * machine then still says which call never returned.
 */
export function nativeStacks(pid: number): string {
  let out: string;
  try {
    out = execFileSync('gdb', ['-p', String(pid), '-batch', '-nx', '-ex', 'thread apply all bt 25'], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (err) {
    const e = err as { code?: string; stdout?: string };
    if (e.code === 'ENOENT' || !e.stdout) return threadStates(pid);
    out = e.stdout;
  }
  const threads = out.split(/\n(?=Thread \d+ )/).filter((t) => t.startsWith('Thread '));
  const telling = /NodeKafka|rd_kafka|RdKafka|uv_|Workers|pthread_cond|epoll|poll \(/;
  const lines = threads.map((t) => {
    const [head = '', ...frames] = t.split('\n');
    const kept = frames
      .filter((f) => telling.test(f))
      .slice(0, 6)
      .map((f) => '    ' + f.replace(/^#\d+\s+(0x[0-9a-f]+ in )?/, '').replace(/\s*\(.*?\) (at|from) .*$/, '').slice(0, 160));
    return [head.slice(0, 120), ...kept].join('\n');
  });
  return `\nnative stacks (gdb, ${threads.length} threads):\n${lines.join('\n')}`;
}

/** Each thread's name, state and kernel wait channel (from /proc), counted: 'libuv-worker S futex_wait_queue ×8'. */
function threadStates(pid: number): string {
  try {
    const counts = new Map<string, number>();
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const read = (f: string) => readFileSync(`/proc/${pid}/task/${task}/${f}`, 'utf8').trim();
      const state = read('stat').replace(/^.*\) /, '').split(' ')[0];
      const key = `${read('comm')} ${state} ${read('wchan')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return `\nthreads (no gdb; name, state, wait channel):\n${[...counts].map(([k, n]) => `  ${k} x${n}`).join('\n')}`;
  } catch {
    return '';
  }
}

/**
 * Runs `body`, then `cleanup` even when the body failed; a failing cleanup
 * never hides the body's own failure (both are reported), so the first thing
 * that went wrong is what the test says.
 */
export async function withCleanup<T>(body: () => Promise<T>, cleanup: () => Promise<unknown>): Promise<T> {
  let result: T;
  try {
    result = await body();
  } catch (err) {
    try {
      await cleanup();
    } catch (cleanupErr) {
      throw new Error(`${(err as Error).message}\n-- and then the clean-up failed too: ${(cleanupErr as Error).message}`, { cause: err });
    }
    throw err;
  }
  await cleanup();
  return result;
}

/** Every committed message of a topic, decoded with the repo's schema as reader. */
export function readDecoded<T>(topic: string, schema: SchemaName, opts: { isolation?: 'read_committed' | 'read_uncommitted' } = {}): Promise<DecodedMessage<T>[]> {
  return decodeTopic<T>(testKafkaConfig(), new SchemaRegistryClient(testRegistryConfig()), topic, schema, opts);
}

/** The local stack's script, for fault tests that stop and restart one component. */
export function stackComponentControl(): { skip: string | false; down: (c: string) => void; up: (c: string) => void } {
  const script = join(dirname(defaultSchemasDir()), 'deploy', 'local', 'stack.sh');
  const external = process.env.STOCKSTREAM_EXTERNAL_STACK === '1';
  const run = (args: string[]) => execFileSync(script, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
  return {
    skip: external ? 'STOCKSTREAM_EXTERNAL_STACK=1: cannot stop components of an external cluster' : !existsSync(script) ? `${script} not found` : false,
    down: (c) => run(['down', c]),
    up: (c) => run(['up', c]),
  };
}

/** GET a service's /readyz: true when it answers 200. */
export async function isReady(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
  } catch {
    return false;
  }
}

/** One sample of a service's Prometheus metric (summed over labels); 0 when absent or unreachable. */
export async function metricValue(port: number, name: string): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    let sum = 0;
    for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
    return sum;
  } catch {
    return 0;
  }
}

/**
 * Polls a service's metric (summed over its series) until it reaches
 * `atLeast` or `timeoutMs` passes; returns the last value read, so the caller
 * asserts on it (a timeout is not an error here).
 */
export async function waitForMetric(port: number, name: string, atLeast: number, timeoutMs: number, intervalMs = 50): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let v = await metricValue(port, name);
  while (v < atLeast && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, intervalMs));
    v = await metricValue(port, name);
  }
  return v;
}

/**
 * A running service's throughput from its counters: the clock starts at the
 * first poll that sees `startMetric` above zero (the service's start-up is not
 * timed) and stops when `endMetric` reaches `target` (or after `timeoutMs`).
 * `counted` is what `endMetric` gained meanwhile; `onStart` runs as the clock
 * starts (benchmarks read a process's CPU there).
 */
export async function metricRate(
  port: number,
  metrics: { startMetric: string; endMetric: string },
  target: number,
  timeoutMs: number,
  onStart: () => void = () => {},
): Promise<{ counted: number; seconds: number; reached: number; recordsPerSecond: number }> {
  const deadline = Date.now() + timeoutMs;
  while ((await metricValue(port, metrics.startMetric)) <= 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const t0 = performance.now();
  onStart();
  const atStart = await metricValue(port, metrics.endMetric);
  const reached = await waitForMetric(port, metrics.endMetric, target, Math.max(0, deadline - Date.now()));
  const seconds = (performance.now() - t0) / 1000;
  const counted = reached - atStart;
  return { counted, seconds, reached, recordsPerSecond: Math.round(counted / seconds) };
}

/** Whether a service exposes any series of a metric yet (e.g. per-partition gauges once partitions are assigned). */
export async function metricSeries(port: number, name: string): Promise<boolean> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return new RegExp(`^${name}(?:\\{[^}]*\\})? `, 'm').test(text);
  } catch {
    return false;
  }
}

export type { DecodedMessage };
export { bindingBuildScript, bindingBuildState, copyBindingForBuild, installedBindingDir, nativeModuleFile, unpatchedClientEnv, unpatchedClientRoot, type BindingCopy } from './kafka-binding.js';
