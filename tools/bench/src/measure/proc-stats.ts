// CPU time and memory of processes from Linux's /proc: the parsing is pure,
// the reading takes a pid.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export interface StatTimes {
  /** utime + stime, in clock ticks. */
  ownTicks: number;
  /** cutime + cstime: children this process has waited for (a shell's finished java, say). */
  childTicks: number;
}

/** Fields of /proc/<pid>/stat after the command name, which may itself hold spaces and parentheses. */
export function parseStat(text: string): StatTimes {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): utime, stime, cutime, cstime are fields 14-17.
  const f = (n: number) => Number(rest[n - 3]);
  return { ownTicks: f(14) + f(15), childTicks: f(16) + f(17) };
}

export interface MemoryStatus {
  /** VmHWM: peak resident set size, bytes. */
  peakRssBytes: number;
  /** VmRSS: resident set size now, bytes. */
  rssBytes: number;
}

/** VmHWM and VmRSS of /proc/<pid>/status; null for a process without memory (a zombie). */
export function parseStatus(text: string): MemoryStatus | null {
  const kb = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  const peak = kb('VmHWM');
  const now = kb('VmRSS');
  return peak === null || now === null ? null : { peakRssBytes: peak, rssBytes: now };
}

let ticksPerSecond: number | undefined;
export function clockTicksPerSecond(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

/** Children of a process (those of all its threads), from /proc/<pid>/task/<tid>/children. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) out.push(...text.split(' ').map(Number));
    }
  } catch {
    // gone meanwhile
  }
  return out;
}

export interface TreeSample {
  /** CPU seconds of the process, its live descendants and the children they have waited for. */
  cpuSeconds: number;
  /** The largest VmHWM of one process in the tree (a `stack.sh kafka` shell's java, say). */
  peakRssBytes: number | null;
  /** Sum of VmRSS over the tree now. */
  rssBytes: number | null;
}

/** One reading of a process and its descendants; null when the process is gone. */
export function sampleTree(pid: number): TreeSample | null {
  let ticks = 0;
  let peak: number | null = null;
  let rss: number | null = null;
  const visit = (p: number, root: boolean): boolean => {
    try {
      const st = parseStat(readFileSync(`/proc/${p}/stat`, 'utf8'));
      ticks += st.ownTicks + st.childTicks;
      const mem = parseStatus(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (mem) {
        peak = Math.max(peak ?? 0, mem.peakRssBytes);
        rss = (rss ?? 0) + mem.rssBytes;
      }
    } catch {
      return !root;
    }
    for (const c of childPids(p)) visit(c, false);
    return true;
  };
  if (!visit(pid, true)) return null;
  return { cpuSeconds: ticks / clockTicksPerSecond(), peakRssBytes: peak, rssBytes: rss };
}

/** The command line of a process, or '' when it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}
