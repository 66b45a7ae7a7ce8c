import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite';
import { storeContract } from './contract';

const dir = mkdtempSync(join(tmpdir(), 'baton-sqlite-contract-'));
let n = 0;
storeContract('sqlite', async () => {
  const s = new SqliteStore({ file: join(dir, `store-${++n}.sqlite`) });
  await s.init();
  return s;
});
