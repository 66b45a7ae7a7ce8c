import { MongoStore } from '../../src/store/mongo';
import { uniqueDbName } from '../helpers/server';
import { storeContract } from './contract';

const uri = process.env.MONGODB_URI;

if (!uri) {
  // `npm test` always provisions a server; running jest directly without one is a setup error.
  it('needs MONGODB_URI (run through `npm test`, which provisions a MongoDB test server)', () => {
    throw new Error('MONGODB_URI is not set');
  });
} else {
  const stores: MongoStore[] = [];
  afterAll(async () => {
    for (const s of stores) {
      const again = new MongoStore({ uri, dbName: (s as unknown as { options: { dbName: string } }).options.dbName });
      await again.init();
      await again.dropDatabase();
      await again.close();
    }
  });
  storeContract('mongodb', async () => {
    const s = new MongoStore({ uri, dbName: uniqueDbName('baton_contract') });
    await s.init();
    stores.push(s);
    return s;
  });
}
