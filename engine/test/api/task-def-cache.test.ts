import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateTaskDef, type TaskDef } from '@baton/definitions';
import { TaskDefCache } from '../../src/runtime/task-defs';
import { SqliteStore } from '../../src/store/sqlite';

/**
 * A definition registered on another engine reaches this engine's claims at once: a claim of a
 * type the cache does not know reloads it (at most every 250 ms), instead of leasing with the
 * default policy (an hour) until the periodic refresh.
 */
describe('TaskDefCache.forClaim', () => {
  it('reloads on a miss, at most every 250 ms, and not at all on a hit', async () => {
    const store = new SqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'baton-taskdefs-')), 'baton.sqlite') });
    await store.init();
    try {
      const cache = new TaskDefCache(store, 60_000);
      await cache.reload(1_000);
      const def = (name: string): TaskDef => {
        const v = validateTaskDef({ name, responseTimeoutSeconds: 3 });
        if (!v.ok) throw new Error('invalid');
        return v.value;
      };
      // Another engine registers it: this cache has not seen it.
      await store.putTaskDefs([def('late')], 'other-engine', 1_010);
      expect(cache.get('late')).toBeUndefined();
      expect(await cache.forClaim('late', 1_100)).toBeUndefined(); // reloaded 100 ms ago: not again yet
      expect((await cache.forClaim('late', 1_250))?.responseTimeoutSeconds).toBe(3);
      await store.putTaskDefs([def('later')], 'other-engine', 1_300);
      expect(await cache.forClaim('late', 1_400)).toBeDefined(); // a hit reloads nothing
      expect(cache.get('later')).toBeUndefined();
      expect((await cache.forClaim('later', 1_600))?.name).toBe('later');
    } finally {
      await store.close();
    }
  });
});
