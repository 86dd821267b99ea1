import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStat, parseStatus, sampleTree } from '../../src/measure/proc-stats.js';

describe('/proc parsing', () => {
  it('stat: utime + stime and the waited-for children\'s, past a command name with spaces and parentheses', () => {
    const text = '4242 (node (main) x) S 1 4242 4242 0 -1 4194304 9000 0 0 0 1500 250 30 20 20 0 11 0 100 1000000 25000 18446744073709551615\n';
    assert.deepEqual(parseStat(text), { ownTicks: 1750, childTicks: 50 });
  });

  it('status: VmHWM and VmRSS in bytes; none for a zombie', () => {
    const text = 'Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n';
    assert.deepEqual(parseStatus(text), { peakRssBytes: 204800 * 1024, rssBytes: 102400 * 1024 });
    assert.equal(parseStatus('Name:\tnode\nState:\tZ (zombie)\n'), null);
  });

  it('reads this very process (Linux)', { skip: process.platform !== 'linux' && 'no /proc here' }, () => {
    const s = sampleTree(process.pid)!;
    const cpu = process.cpuUsage();
    assert.ok(Math.abs(s.cpuSeconds - (cpu.user + cpu.system) / 1e6) < 0.5, `${s.cpuSeconds} s against process.cpuUsage()`);
    assert.ok(s.peakRssBytes! >= process.memoryUsage().rss * 0.5);
    assert.equal(sampleTree(2 ** 22 + 7), null);
  });
});
