import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MIN_KILL_GAP_S, MIN_OUTAGE_GAP_S, SERVICES, faultSchedule } from '../../src/fault-schedule.js';
import { CHAOS_VARIANTS } from '../../src/variants.js';

describe('faultSchedule', () => {
  const shape = CHAOS_VARIANTS.full.options.schedule;

  it('is a function of the seed: the same seed replays the same faults, another seed differs', () => {
    assert.deepEqual(faultSchedule(7, shape), faultSchedule(7, shape));
    assert.notDeepEqual(faultSchedule(7, shape), faultSchedule(8, shape));
  });

  for (const seed of [0, 1, 2, 42, 123_456, 2 ** 31 - 1]) {
    it(`seed ${seed}: every fault the issue asks for, in the window, spaced, sorted`, () => {
      const s = faultSchedule(seed, shape);
      const times = s.map((f) => f.at);
      assert.deepEqual(times, [...times].sort((a, b) => a - b));
      for (const f of s) assert.ok(f.at >= shape.from && f.at < shape.to, `${f.at} in [${shape.from}, ${shape.to})`);
      for (const service of SERVICES) {
        const kills = s.filter((f) => f.fault.kind === 'sigkill' && f.fault.service === service).map((f) => f.at);
        assert.equal(kills.length, shape.killsPerService);
        for (let i = 1; i < kills.length; i++) assert.ok(kills[i]! - kills[i - 1]! >= MIN_KILL_GAP_S - 0.05, `${service} kills ${kills}`);
      }
      const outages = s.filter((f) => f.fault.kind === 'outage');
      assert.deepEqual(outages.map((f) => (f.fault as { component: string }).component).sort(), ['kafka', 'registry', 's3']);
      assert.equal(outages.find((f) => (f.fault as { component: string }).component === 's3')!.fault.kind === 'outage' && (outages.find((f) => (f.fault as { component: string }).component === 's3')!.fault as { downSeconds: number }).downSeconds, 10);
      for (let i = 1; i < outages.length; i++) {
        const prev = outages[i - 1]!;
        const down = (prev.fault as { downSeconds: number }).downSeconds;
        assert.ok(outages[i]!.at - prev.at >= MIN_OUTAGE_GAP_S + down - 0.05 || outages[i]!.at - prev.at >= MIN_OUTAGE_GAP_S + 10 - 0.05, 'outages overlap');
      }
      const scaleOut = s.find((f) => f.fault.kind === 'scale-out')!;
      const scaleIn = s.find((f) => f.fault.kind === 'scale-in')!;
      assert.ok(scaleIn.at > scaleOut.at);
    });
  }

  it('the short variant fits one fault of each kind', () => {
    const s = faultSchedule(3, CHAOS_VARIANTS.short.options.schedule);
    assert.equal(s.filter((f) => f.fault.kind === 'sigkill').length, 3);
    assert.equal(s.length, 3 + 3 + 2);
  });

  it('refuses a window too short for its faults instead of crowding them', () => {
    assert.throws(() => faultSchedule(1, { from: 0, to: 20, killsPerService: 3, s3DownSeconds: 10 }), /cannot fit/);
    assert.throws(() => faultSchedule(1, { from: 5, to: 5, killsPerService: 1, s3DownSeconds: 10 }), /empty fault window/);
  });
});
