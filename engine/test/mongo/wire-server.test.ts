// Smoke test of the MongoDB server the tests run against, through the official driver (6.x): every
// operation the MongoDB store adapter relies on, and the atomicity of findOneAndUpdate claims.
//
// `npm test` provisions mongo-java-server (in-memory; scripts/mongo-test-server.js) and sets
// BATON_TEST_MONGO_PROVISIONED=1, or uses the server named by MONGODB_URI. The last block pins down
// what mongo-java-server lacks, so that the adapter avoids it: on mongo-java-server those tests
// assert the limitation; on a real MongoDB they assert the real behaviour, or are skipped where it
// depends on the deployment (replica set, TTL monitor).

import { randomBytes } from 'node:crypto';
import { type Collection, type Db, type Document, Long, MongoBulkWriteError, MongoClient, MongoServerError } from 'mongodb';

const uri = process.env.MONGODB_URI;
const onJavaServer = process.env.BATON_TEST_MONGO_PROVISIONED === '1';
const DUPLICATE_KEY = 11000;

// Test documents use string and number _ids, which the driver's default schema (ObjectId) rejects.

type AnyDoc = { _id?: string | number; [key: string]: any };

async function errorOf(promise: Promise<unknown>): Promise<Error & { code?: unknown }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: unknown };
  }
  throw new Error('expected the operation to fail, and it succeeded');
}

async function succeeds(promise: Promise<unknown>): Promise<boolean> {
  try {
    await promise;
    return true;
  } catch {
    return false;
  }
}

if (!uri) {
  it('needs MONGODB_URI (run through `npm test` or `node scripts/test-run.js`, which provision a MongoDB test server)', () => {
    throw new Error('MONGODB_URI is not set: run the tests with `npm test` (it starts a MongoDB test server) or set MONGODB_URI');
  });
} else {
  const dbName = `baton_test_wire_${process.pid}_${randomBytes(4).toString('hex')}`;
  let client: MongoClient;
  let db: Db;
  let serverVersion: number[] = [];
  let collectionSeq = 0;
  // A fresh collection per test, so that tests do not see each other's documents or indexes.
  const fresh = (): Collection<AnyDoc> => db.collection<AnyDoc>(`c${++collectionSeq}`);

  beforeAll(async () => {
    client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
    await client.connect();
    db = client.db(dbName);
    const info = await db.admin().command({ buildInfo: 1 });
    serverVersion = String(info.version).split('.').map(Number);
  });

  afterAll(async () => {
    if (db) await db.dropDatabase();
    if (client) await client.close();
  });

  describe('MongoDB driver 6.x against the test server', () => {
    it('connects and answers ping and buildInfo', async () => {
      expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
      const info = await db.admin().command({ buildInfo: 1 });
      expect(typeof info.version).toBe('string');
    });

    it('creates unique, compound and partial compound indexes', async () => {
      const c = fresh();
      expect(await c.createIndex({ key: 1 }, { unique: true })).toBe('key_1');
      expect(await c.createIndex({ state: 1, due: 1 })).toBe('state_1_due_1');
      expect(
        await c.createIndex({ state: 1, priority: -1, due: 1 }, { name: 'ready_queue', partialFilterExpression: { state: 'ready' } }),
      ).toBe('ready_queue');
      // The same index again is a no-op; the same name with other options is refused.
      expect(await c.createIndex({ key: 1 }, { unique: true })).toBe('key_1');
      expect(await succeeds(c.createIndex({ key: 1 }, { unique: false }))).toBe(false);

      const indexes = await c.listIndexes().toArray();
      const byName = new Map(indexes.map((i) => [i.name as string, i]));
      expect([...byName.keys()].sort()).toEqual(['_id_', 'key_1', 'ready_queue', 'state_1_due_1']);
      expect(byName.get('key_1')).toMatchObject({ key: { key: 1 }, unique: true });
      expect(byName.get('ready_queue')).toMatchObject({
        key: { state: 1, priority: -1, due: 1 },
        partialFilterExpression: { state: 'ready' },
      });
    });

    it('enforces a unique index on insert, update, findOneAndUpdate and upsert with code 11000', async () => {
      const c = fresh();
      await c.createIndex({ key: 1 }, { unique: true });
      await c.createIndex({ a: 1, b: 1 }, { unique: true });
      await c.insertMany([
        { key: 'k1', a: 1, b: 1 },
        { key: 'k2', a: 1, b: 2 },
      ]);
      const onInsert = await errorOf(c.insertOne({ key: 'k1', a: 2, b: 1 }));
      expect(onInsert).toBeInstanceOf(MongoServerError);
      expect(onInsert.code).toBe(DUPLICATE_KEY);
      expect((await errorOf(c.insertOne({ key: 'k3', a: 1, b: 1 }))).code).toBe(DUPLICATE_KEY);
      expect((await errorOf(c.updateOne({ key: 'k2' }, { $set: { key: 'k1' } }))).code).toBe(DUPLICATE_KEY);
      expect((await errorOf(c.findOneAndUpdate({ key: 'k2' }, { $set: { key: 'k1' } }))).code).toBe(DUPLICATE_KEY);
      expect((await errorOf(c.updateOne({ key: 'k1', other: true }, { $set: { v: 1 } }, { upsert: true }))).code).toBe(DUPLICATE_KEY);
      expect(await c.countDocuments({})).toBe(2);
    });

    it('insertMany: a duplicate _id gives 11000; ordered:false still inserts the others, ordered:true stops', async () => {
      const unordered = fresh();
      const err = await errorOf(unordered.insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }, { _id: 3 }], { ordered: false }));
      expect(err).toBeInstanceOf(MongoBulkWriteError);
      const bulkErr = err as MongoBulkWriteError;
      expect(bulkErr.code).toBe(DUPLICATE_KEY);
      const writeErrors = Array.isArray(bulkErr.writeErrors) ? bulkErr.writeErrors : [bulkErr.writeErrors];
      expect(writeErrors.map((w) => [w.index, w.code])).toEqual([[1, DUPLICATE_KEY]]);
      // insertedIds is right on both servers; result.insertedCount is not on mongo-java-server.
      expect(bulkErr.insertedIds).toEqual({ 0: 1, 2: 2, 3: 3 });
      expect((await unordered.find({}).sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual([1, 2, 3]);

      const ordered = fresh();
      expect((await errorOf(ordered.insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }]))).code).toBe(DUPLICATE_KEY);
      expect((await ordered.find({}).toArray()).map((d) => d._id)).toEqual([1]);
    });

    it('findOneAndUpdate with filter, sort, $set and $inc returns the new document, or null', async () => {
      const c = fresh();
      await c.insertMany([
        { _id: 'a', state: 'ready', due: 5, attempts: 0 },
        { _id: 'b', state: 'ready', due: 3, attempts: 0 },
        { _id: 'c', state: 'done', due: 1, attempts: 0 },
      ]);
      const claim = () =>
        c.findOneAndUpdate(
          { state: 'ready', due: { $lte: 10 } },
          { $set: { state: 'claimed', owner: 'w1' }, $inc: { attempts: 1 } },
          { sort: { due: 1 }, returnDocument: 'after' },
        );
      // Driver 6 default (includeResultMetadata: false): the document itself, or null.
      expect(await claim()).toEqual({ _id: 'b', state: 'claimed', due: 3, attempts: 1, owner: 'w1' });
      expect(await claim()).toEqual({ _id: 'a', state: 'claimed', due: 5, attempts: 1, owner: 'w1' });
      expect(await claim()).toBeNull();

      // 'before' returns the old document; includeResultMetadata: true the raw command result.
      expect(await c.findOneAndUpdate({ _id: 'c' }, { $inc: { attempts: 1 } }, { returnDocument: 'before' })).toMatchObject({
        attempts: 0,
      });
      const withMeta = await c.findOneAndUpdate(
        { _id: 'c' },
        { $inc: { attempts: 1 } },
        { returnDocument: 'after', includeResultMetadata: true, projection: { attempts: 1 } },
      );
      expect(withMeta).toMatchObject({ ok: 1, value: { _id: 'c', attempts: 2 }, lastErrorObject: { n: 1, updatedExisting: true } });
      const none = await c.findOneAndUpdate({ _id: 'zz' }, { $inc: { attempts: 1 } }, { includeResultMetadata: true });
      expect(none.value).toBeNull();
    });

    it('a conditional updateOne reports matchedCount and modifiedCount', async () => {
      const c = fresh();
      await c.insertOne({ _id: 'x', version: 1, state: 'running' });
      const first = await c.updateOne({ _id: 'x', version: 1 }, { $set: { state: 'done' }, $inc: { version: 1 } });
      expect([first.matchedCount, first.modifiedCount]).toEqual([1, 1]);
      const stale = await c.updateOne({ _id: 'x', version: 1 }, { $set: { state: 'failed' }, $inc: { version: 1 } });
      expect([stale.matchedCount, stale.modifiedCount]).toEqual([0, 0]);
      const same = await c.updateOne({ _id: 'x' }, { $set: { state: 'done' } });
      expect([same.matchedCount, same.modifiedCount]).toEqual([1, 0]);
      expect(await c.findOne({ _id: 'x' })).toEqual({ _id: 'x', version: 2, state: 'done' });
    });

    it('bulkWrite mixes insertOne, updateOne (with upsert) and deleteOne; ordered:false goes past a duplicate', async () => {
      const c = fresh();
      await c.insertOne({ _id: 'a', n: 0 });
      const ok = await c.bulkWrite(
        [
          { insertOne: { document: { _id: 'b', n: 0 } } },
          { updateOne: { filter: { _id: 'a' }, update: { $inc: { n: 1 } } } },
          { updateOne: { filter: { _id: 'u' }, update: { $set: { n: 5 } }, upsert: true } },
          { deleteOne: { filter: { _id: 'missing' } } },
        ],
        { ordered: false },
      );
      expect([ok.insertedCount, ok.matchedCount, ok.modifiedCount, ok.upsertedCount, ok.deletedCount]).toEqual([1, 1, 1, 1, 0]);
      expect(ok.upsertedIds).toEqual({ 2: 'u' });

      const err = await errorOf(
        c.bulkWrite(
          [
            { insertOne: { document: { _id: 'c', n: 0 } } },
            { insertOne: { document: { _id: 'a', n: 9 } } },
            { updateOne: { filter: { _id: 'b' }, update: { $set: { n: 7 } } } },
          ],
          { ordered: false },
        ),
      );
      expect(err).toBeInstanceOf(MongoBulkWriteError);
      const bulkErr = err as MongoBulkWriteError;
      const writeErrors = Array.isArray(bulkErr.writeErrors) ? bulkErr.writeErrors : [bulkErr.writeErrors];
      expect(writeErrors.map((w) => [w.index, w.code])).toEqual([[1, DUPLICATE_KEY]]);
      expect(bulkErr.result.matchedCount).toBe(1);
      const docs = await c.find({}).sort({ _id: 1 }).toArray();
      expect(docs).toEqual([
        { _id: 'a', n: 1 },
        { _id: 'b', n: 7 },
        { _id: 'c', n: 0 },
        { _id: 'u', n: 5 },
      ]);
    });

    it('aggregates a $group count', async () => {
      const c = fresh();
      await c.insertMany(['ready', 'ready', 'running', 'done', 'ready'].map((state, i) => ({ i, state })));
      const counts = await c
        .aggregate<{ _id: string; count: number }>([
          { $match: { i: { $gte: 0 } } },
          { $group: { _id: '$state', count: { $sum: 1 } } },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      expect(counts).toEqual([
        { _id: 'done', count: 1 },
        { _id: 'ready', count: 3 },
        { _id: 'running', count: 1 },
      ]);
      expect(await c.countDocuments({ state: 'ready' })).toBe(3);
      expect(await c.distinct('state')).toEqual(expect.arrayContaining(['done', 'ready', 'running']));
    });

    it('filters with $lte, $in, $exists, $ne, $or and dates', async () => {
      const c = fresh();
      const t = (ms: number) => new Date(1_700_000_000_000 + ms);
      await c.insertMany([
        { _id: 1, state: 'ready', due: t(10), lease: t(5) },
        { _id: 2, state: 'ready', due: t(30) },
        { _id: 3, state: 'running', due: t(5), lease: t(1) },
        { _id: 4, state: 'done', due: t(1) },
      ]);
      const ids = async (filter: Document) => (await c.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
      expect(await ids({ due: { $lte: t(10) } })).toEqual([1, 3, 4]);
      expect(await ids({ state: { $in: ['ready', 'running'] } })).toEqual([1, 2, 3]);
      expect(await ids({ lease: { $exists: true } })).toEqual([1, 3]);
      expect(await ids({ lease: { $exists: false } })).toEqual([2, 4]);
      expect(await ids({ state: { $in: ['ready', 'running'] }, due: { $lte: t(10) }, lease: { $exists: true } })).toEqual([1, 3]);
      expect(await ids({ state: { $ne: 'done' }, $or: [{ lease: { $lte: t(2) } }, { due: { $gt: t(20) } }] })).toEqual([2, 3]);
    });

    it('runs a sorted find with limit on a compound index', async () => {
      const c = fresh();
      await c.createIndex({ queue: 1, due: 1, _id: 1 });
      const docs = Array.from({ length: 60 }, (_, i) => ({ _id: i, queue: i % 3 === 0 ? 'q1' : 'q2', due: Math.floor(i / 6) }));
      await c.insertMany([...docs].reverse());
      const page = await c
        .find({ queue: 'q1', due: { $lte: 8 } })
        .sort({ queue: 1, due: 1, _id: 1 })
        .limit(4)
        .project({ _id: 1, due: 1 })
        .toArray();
      const expected = docs
        .filter((d) => d.queue === 'q1' && d.due <= 8)
        .sort((a, b) => a.due - b.due || a._id - b._id)
        .slice(0, 4)
        .map(({ _id, due }) => ({ _id, due }));
      expect(expected.map((d) => d.due)).toEqual([0, 0, 1, 1]); // ties on due, broken by _id
      expect(page).toEqual(expected);
      const desc = await c.find({ queue: 'q2' }).sort({ due: -1, _id: 1 }).limit(2).project({ _id: 0, due: 1 }).toArray();
      expect(desc).toEqual([{ due: 9 }, { due: 9 }]);
    });

    it('reads in several batches (getMore) and closes a cursor early', async () => {
      const c = fresh();
      await c.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
      expect((await c.find({}).batchSize(20).toArray()).length).toBe(250);
      const cursor = c.find({}).batchSize(5);
      expect(await cursor.next()).not.toBeNull();
      await cursor.close();
    });

    it('update operators: $setOnInsert with upsert, $max, $min, $unset, $push/$each/$slice, $pull, $addToSet, arrayFilters', async () => {
      const c = fresh();
      const inserted = await c.updateOne({ _id: 'u' }, { $setOnInsert: { created: 1 }, $set: { v: 1 } }, { upsert: true });
      expect([inserted.upsertedCount, inserted.upsertedId, inserted.matchedCount]).toEqual([1, 'u', 0]);
      const updated = await c.updateOne({ _id: 'u' }, { $setOnInsert: { created: 2 }, $set: { v: 2 } }, { upsert: true });
      expect([updated.upsertedCount, updated.matchedCount]).toEqual([0, 1]);
      expect(await c.findOne({ _id: 'u' })).toEqual({ _id: 'u', created: 1, v: 2 });

      // Upsert through findOneAndUpdate; the equality fields of the filter seed the new document.
      const first = await c.findOneAndUpdate(
        { kind: 'counter', name: 'x' },
        { $setOnInsert: { created: 1 }, $inc: { n: 1 } },
        { upsert: true, returnDocument: 'after', projection: { _id: 0 } },
      );
      expect(first).toEqual({ kind: 'counter', name: 'x', created: 1, n: 1 });
      const second = await c.findOneAndUpdate(
        { kind: 'counter', name: 'x' },
        { $setOnInsert: { created: 2 }, $inc: { n: 1 } },
        { upsert: true, returnDocument: 'after', projection: { _id: 0 } },
      );
      expect(second).toEqual({ kind: 'counter', name: 'x', created: 1, n: 2 });

      await c.insertOne({
        _id: 'm',
        hi: 5,
        lo: 5,
        at: new Date(2000),
        tmp: 1,
        log: [],
        tags: ['a'],
        items: [
          { k: 1, s: 'a' },
          { k: 2, s: 'a' },
        ],
      });
      await c.updateOne({ _id: 'm' }, { $max: { hi: 9, at: new Date(1000) }, $min: { lo: 3 }, $unset: { tmp: '' } });
      await c.updateOne({ _id: 'm' }, { $max: { hi: 7, at: new Date(3000) }, $min: { lo: 4 } });
      await c.updateOne({ _id: 'm' }, { $push: { log: { $each: [1, 2, 3, 4], $slice: -3 } }, $addToSet: { tags: 'a' } } as Document);
      await c.updateOne({ _id: 'm' }, { $pull: { log: 3 }, $addToSet: { tags: 'b' } } as Document);
      await c.updateOne({ _id: 'm' }, { $set: { 'items.$[it].s': 'b' } }, { arrayFilters: [{ 'it.k': 2 }] });
      await c.updateOne({ _id: 'm', 'items.k': 1 }, { $set: { 'items.$.s': 'c' } });
      expect(await c.findOne({ _id: 'm' })).toEqual({
        _id: 'm',
        hi: 9,
        lo: 3,
        at: new Date(3000),
        log: [2, 4],
        tags: ['a', 'b'],
        items: [
          { k: 1, s: 'c' },
          { k: 2, s: 'b' },
        ],
      });
    });

    it('accepts hint (by key pattern and by name) on find, updateOne and findOneAndUpdate', async () => {
      const c = fresh();
      await c.createIndex({ state: 1, due: 1 });
      await c.insertMany([
        { _id: 1, state: 'ready', due: 2 },
        { _id: 2, state: 'ready', due: 1 },
      ]);
      expect((await c.find({ state: 'ready' }).sort({ due: 1 }).hint({ state: 1, due: 1 }).toArray()).map((d) => d._id)).toEqual([2, 1]);
      expect((await c.find({ state: 'ready' }).sort({ due: 1 }).hint('state_1_due_1').toArray()).map((d) => d._id)).toEqual([2, 1]);
      expect((await c.updateOne({ state: 'ready', due: 2 }, { $set: { x: 1 } }, { hint: { state: 1, due: 1 } })).modifiedCount).toBe(1);
      expect(
        await c.findOneAndUpdate(
          { state: 'ready' },
          { $set: { y: 1 } },
          { sort: { due: 1 }, hint: { state: 1, due: 1 }, returnDocument: 'after' },
        ),
      ).toMatchObject({ _id: 2, y: 1 });
    });

    it('keeps BSON types: dates, Long, nested documents, dotted keys in values', async () => {
      const c = fresh();
      const doc = {
        _id: 't',
        at: new Date(1_700_000_000_123),
        big: Long.fromString('9007199254740993'),
        nested: { a: { b: [1, { c: null }] } },
        data: { 'a.b': 1, 'x-y': 2 },
      };
      await c.insertOne(doc);
      expect(await c.findOne({ _id: 't' })).toEqual(doc);
    });
  });

  describe('atomicity of findOneAndUpdate', () => {
    it('20 concurrent claims on 10 ready documents give exactly 10 winners, none claimed twice', async () => {
      for (let round = 0; round < 5; round++) {
        const c = fresh();
        await c.insertMany(Array.from({ length: 10 }, (_, i) => ({ _id: `t${i}`, state: 'ready', due: i, owner: null })));
        const claims = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            c.findOneAndUpdate(
              { state: 'ready' },
              { $set: { state: 'claimed', owner: i }, $inc: { claims: 1 } },
              { sort: { due: 1 }, returnDocument: 'after' },
            ),
          ),
        );
        const winners = claims.filter((d): d is NonNullable<typeof d> => d !== null);
        expect(winners).toHaveLength(10);
        expect(new Set(winners.map((d) => d._id)).size).toBe(10);
        expect(new Set(winners.map((d) => d.owner)).size).toBe(10);
        const stored = await c.find({}).toArray();
        expect(stored.every((d) => d.state === 'claimed' && d.claims === 1)).toBe(true);
        // What each winner was told it owns is what the database holds.
        for (const w of winners) expect(stored.find((d) => d._id === w._id)?.owner).toBe(w.owner);
      }
    });

    it('concurrent $inc and conditional updates on one document do not lose updates', async () => {
      const c = fresh();
      await c.insertOne({ _id: 'n', n: 0, version: 0 });
      await Promise.all(Array.from({ length: 50 }, () => c.updateOne({ _id: 'n' }, { $inc: { n: 1 } })));
      expect((await c.findOne({ _id: 'n' }))?.n).toBe(50);
      // Optimistic concurrency: of 20 writers that all read version 0, exactly one wins.
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => c.updateOne({ _id: 'n', version: 0 }, { $set: { version: 1, writer: i } })),
      );
      expect(results.filter((r) => r.modifiedCount === 1)).toHaveLength(1);
    });

    it('concurrent upserts on a unique key leave one document', async () => {
      const c = fresh();
      await c.createIndex({ key: 1 }, { unique: true });
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () => c.updateOne({ key: 'same' }, { $inc: { n: 1 } }, { upsert: true })),
      );
      // A real MongoDB may answer some racing upserts with 11000 (the caller retries); never a second document.
      for (const r of results) if (r.status === 'rejected') expect((r.reason as { code?: unknown }).code).toBe(DUPLICATE_KEY);
      const docs = await c.find({ key: 'same' }).toArray();
      expect(docs).toHaveLength(1);
      expect(docs[0]?.n).toBe(results.filter((r) => r.status === 'fulfilled').length);
    });
  });

  // What mongo-java-server 1.47 lacks. On it each test asserts the limitation (so that a server
  // upgrade that fixes one shows up here); elsewhere it asserts MongoDB's behaviour, or is skipped.
  describe('limits of mongo-java-server (the adapter must not rely on these)', () => {
    const onRealMongo = onJavaServer ? it.skip : it;
    const onJava = onJavaServer ? it : it.skip;

    it('partialFilterExpression is ignored by a unique index (documents outside the filter collide)', async () => {
      const c = fresh();
      await c.createIndex({ workflowId: 1 }, { unique: true, partialFilterExpression: { state: 'running' } });
      await c.insertOne({ workflowId: 'w', state: 'done' });
      const outside = await succeeds(c.insertOne({ workflowId: 'w', state: 'done' }));
      expect(outside).toBe(!onJavaServer);
      // Inside the filter the constraint holds on both.
      await c.deleteMany({});
      await c.insertOne({ workflowId: 'w', state: 'running' });
      expect((await errorOf(c.insertOne({ workflowId: 'w', state: 'running' }))).code).toBe(DUPLICATE_KEY);
    });

    it('insertMany/bulkWrite errors: result.insertedCount counts the failed documents too', async () => {
      const c = fresh();
      const err = (await errorOf(c.insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }], { ordered: false }))) as MongoBulkWriteError;
      expect(err.result.insertedCount).toBe(onJavaServer ? 3 : 2);
      expect(Object.keys(err.insertedIds)).toHaveLength(2);
    });

    it('an unknown hint is accepted and ignored', async () => {
      const c = fresh();
      await c.insertOne({ a: 1 });
      expect(await succeeds(c.find({}).hint('no_such_index').toArray())).toBe(onJavaServer);
    });

    it('explain is not implemented', async () => {
      const c = fresh();
      await c.insertOne({ a: 1 });
      expect(await succeeds(c.find({ a: 1 }).explain())).toBe(!onJavaServer);
    });

    it('update with an aggregation pipeline is not implemented', async () => {
      const c = fresh();
      await c.insertOne({ _id: 1, n: 1 });
      expect(await succeeds(c.updateOne({ _id: 1 }, [{ $set: { m: { $add: ['$n', 1] } } }]))).toBe(!onJavaServer);
    });

    it('the let option (query variables, MongoDB 5.0+) is not implemented', async () => {
      const c = fresh();
      await c.insertOne({ _id: 'a' });
      const works = await succeeds(c.find({ $expr: { $eq: ['$_id', '$$x'] } }, { let: { x: 'a' } }).toArray());
      expect(works).toBe(!onJavaServer && (serverVersion[0] ?? 0) >= 5);
    });

    it('collation is ignored', async () => {
      const c = fresh();
      await c.insertOne({ s: 'ABC' });
      expect(await c.countDocuments({ s: 'abc' }, { collation: { locale: 'en', strength: 2 } })).toBe(onJavaServer ? 0 : 1);
    });

    it('$text search is not implemented (a text index can be created)', async () => {
      const c = fresh();
      await c.createIndex({ t: 'text' });
      await c.insertOne({ t: 'hello world' });
      expect(await succeeds(c.countDocuments({ $text: { $search: 'hello' } }))).toBe(!onJavaServer);
    });

    it('collection validators are accepted but not enforced', async () => {
      const name = `validated${++collectionSeq}`;
      await db.createCollection(name, { validator: { $jsonSchema: { required: ['x'] } } });
      expect(await succeeds(db.collection(name).insertOne({ y: 1 }))).toBe(onJavaServer);
    });

    it('dropping a missing collection fails with "ns not found" (no error code)', async () => {
      // The driver ignores MongoDB's NamespaceNotFound (26); mongo-java-server sends no code.
      expect(await succeeds(db.collection(`missing${++collectionSeq}`).drop())).toBe(!onJavaServer);
    });

    onJava('no sessions, hence no transactions and no retryable writes (the driver refuses explicit sessions)', async () => {
      const session = client.startSession();
      try {
        const err = await errorOf(fresh().findOne({}, { session }));
        expect(err.name).toBe('MongoCompatibilityError');
        expect(err.message).toMatch(/does not support sessions/);
      } finally {
        await session.endSession();
      }
    });

    onJava('change streams are not implemented', async () => {
      const c = fresh();
      await c.insertOne({ a: 1 });
      const stream = c.watch();
      try {
        expect(await succeeds(stream.tryNext())).toBe(false);
      } finally {
        await stream.close().catch(() => undefined);
      }
    });

    onJava('capped collections and collMod are not implemented', async () => {
      expect(await succeeds(db.createCollection(`capped${++collectionSeq}`, { capped: true, size: 4096 }))).toBe(false);
      const c = fresh();
      await c.insertOne({ a: 1 });
      expect(await succeeds(db.command({ collMod: c.collectionName, validator: {} }))).toBe(false);
    });

    onJava('createIndex with commitQuorum is refused by the driver (wire version 8 < MongoDB 4.4)', async () => {
      const err = await errorOf(fresh().createIndex({ a: 1 }, { commitQuorum: 'majority' }));
      expect(err.message).toMatch(/commitQuorum/);
    });

    onJava('TTL indexes are accepted but documents never expire', async () => {
      const c = fresh();
      await c.createIndex({ expireAt: 1 }, { expireAfterSeconds: 0 });
      await c.insertOne({ expireAt: new Date(Date.now() - 60_000) });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await c.countDocuments({})).toBe(1);
    });

    onRealMongo('(real MongoDB) explain reports the compound index for a sorted find', async () => {
      const c = fresh();
      await c.createIndex({ state: 1, due: 1 });
      await c.insertOne({ state: 'ready', due: 1 });
      const plan = JSON.stringify(await c.find({ state: 'ready' }).sort({ due: 1 }).limit(1).explain());
      expect(plan).toContain('state_1_due_1');
    });
  });
}
