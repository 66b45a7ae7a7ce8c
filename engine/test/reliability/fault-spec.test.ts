import { ConfigError, loadConfig } from '../../src/config';
import { FaultPlan, parseFaultSpec } from '../../src/store/faults';

describe('test-only fault and clock options', () => {
  it('parses a store fault spec, and names what is wrong in a bad one', () => {
    expect(parseFaultSpec('fail=0.1, delay=0.2,delayMs=30,write=0.05,seed=7')).toEqual({
      fail: 0.1,
      delay: 0.2,
      delayMs: 30,
      write: 0.05,
      seed: 7,
    });
    expect(parseFaultSpec('')).toEqual({ fail: 0, delay: 0, delayMs: 50, write: 0, seed: null });
    expect(() => parseFaultSpec('fail=2')).toThrow('fail must be a share from 0 to 1, got 2');
    expect(() => parseFaultSpec('boom=1')).toThrow("'boom=1' is not one of");
    expect(() => loadConfig([], { BATON_TEST_STORE_FAULTS: 'fail=x' })).toThrow(ConfigError);
    expect(() => loadConfig([], { BATON_TEST_STORE_FAULTS: 'fail=x' })).toThrow(/BATON_TEST_STORE_FAULTS \(--test-store-faults\)/);
  });

  it('is off by default; the clock skew bound defaults per store', () => {
    const sqlite = loadConfig([], {});
    expect([sqlite.testStoreFaults, sqlite.testClockOffsetMs, sqlite.maxClockSkewMs]).toEqual([null, 0, 0]);
    const mongo = loadConfig(['--test-clock-offset-ms=-2000', '--max-clock-skew-ms', '4000'], { MONGODB_URI: 'mongodb://127.0.0.1:1/x' });
    expect([mongo.testClockOffsetMs, mongo.maxClockSkewMs]).toEqual([-2000, 4000]);
    expect(loadConfig([], { MONGODB_URI: 'mongodb://127.0.0.1:1/x' }).maxClockSkewMs).toBe(1000);
  });

  it('repeats the same faults for the same seed, and injects none until armed', () => {
    const spec = parseFaultSpec('fail=0.5,seed=3');
    const draw = (plan: FaultPlan): boolean[] => Array.from({ length: 50 }, () => plan.hit(0.5));
    const a = new FaultPlan(spec);
    expect(draw(a).some(Boolean)).toBe(false);
    a.arm();
    const b = new FaultPlan(spec);
    b.arm();
    expect(draw(a)).toEqual(draw(b));
  });
});
