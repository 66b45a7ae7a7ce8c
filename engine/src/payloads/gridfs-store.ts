import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { GridFSBucket, MongoClient, type Collection, type Db, type ObjectId } from 'mongodb';
import { groupOf, isSafePath, PayloadTooBig, type PayloadBlobStore, type StoredPayload } from './port';

interface FileDoc {
  _id: ObjectId;
  filename: string;
  length: number;
  uploadDate: Date;
  metadata?: { group?: string };
}

/**
 * Payloads in GridFS (the mongodb driver's GridFSBucket, bucket `payloads`), in the engine's
 * database. GridFS writes the chunks first and the file document last, so a payload is found by
 * name only once it is whole; a crash mid-upload leaves chunks without a file, which no read
 * reaches. The group is kept in `metadata.group` (indexed) for retention.
 */
export class GridFsPayloadStore implements PayloadBlobStore {
  readonly kind = 'gridfs' as const;
  private client: MongoClient | null = null;
  private bucket!: GridFSBucket;
  private files!: Collection<FileDoc>;
  private indexes: Promise<unknown> | null = null;

  constructor(private readonly options: { uri: string; dbName?: string | undefined } | { db: Db }) {}

  /** Connects and makes its indexes on first use, not at start-up: an engine that never stores a large payload pays nothing. */
  async init(): Promise<void> {
    let db: Db;
    if ('db' in this.options) db = this.options.db;
    else {
      // The driver connects on the first operation.
      this.client = new MongoClient(this.options.uri, { serverSelectionTimeoutMS: 10_000 });
      const fromUri = new URL(this.options.uri.replace(/^mongodb(\+srv)?:/, 'http:')).pathname.slice(1);
      db = this.client.db(this.options.dbName || fromUri || 'baton');
    }
    this.bucket = new GridFSBucket(db, { bucketName: 'payloads', chunkSizeBytes: 255 * 1024 });
    this.files = db.collection<FileDoc>('payloads.files');
  }

  private ensureIndexes(): Promise<unknown> {
    this.indexes ??= Promise.all([
      this.files.createIndex({ 'metadata.group': 1, uploadDate: -1 }),
      this.files.createIndex({ filename: 1, uploadDate: -1 }),
    ]).catch((err: unknown) => {
      this.indexes = null;
      throw err;
    });
    return this.indexes;
  }

  async put(path: string, source: AsyncIterable<Buffer | string> | Buffer, maxBytes: number): Promise<StoredPayload> {
    if (!isSafePath(path)) throw new Error(`unsafe payload path '${path.slice(0, 200)}'`);
    await this.ensureIndexes();
    const hash = createHash('sha256');
    let bytes = 0;
    const before = await this.files.find({ filename: path }, { projection: { _id: 1 } }).toArray();
    const out = this.bucket.openUploadStream(path, { metadata: { group: groupOf(path) } });
    try {
      const chunks = Buffer.isBuffer(source) ? [source] : source;
      for await (const raw of chunks) {
        const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
        bytes += chunk.length;
        if (bytes > maxBytes) throw new PayloadTooBig(maxBytes);
        hash.update(chunk);
        if (!out.write(chunk)) await once(out, 'drain');
      }
      await new Promise<void>((resolve, reject) => {
        out.once('finish', resolve);
        out.once('error', reject);
        out.end();
      });
    } catch (err) {
      await out.abort().catch(() => undefined);
      throw err;
    }
    // The new file is whole: earlier files of the same name (a repeated write) go.
    for (const f of before) await this.bucket.delete(f._id).catch(() => undefined);
    return { sha256: hash.digest('hex'), bytes };
  }

  private async newest(path: string): Promise<FileDoc | null> {
    return this.files.find({ filename: path }).sort({ uploadDate: -1 }).limit(1).next();
  }

  async open(path: string): Promise<Readable | null> {
    const f = await this.newest(path);
    return f ? this.bucket.openDownloadStream(f._id) : null;
  }

  async size(path: string): Promise<number | null> {
    return (await this.newest(path))?.length ?? null;
  }

  async rename(from: string, to: string): Promise<boolean> {
    if (!isSafePath(to)) throw new Error(`unsafe payload path '${to.slice(0, 200)}'`);
    const f = await this.newest(from);
    if (!f) return false;
    await this.files.updateOne({ _id: f._id }, { $set: { filename: to, 'metadata.group': groupOf(to) } });
    return true;
  }

  async *groups(): AsyncIterable<{ group: string; newest: number }> {
    const groups = (await this.files.distinct('metadata.group')) as string[];
    for (const group of groups) {
      const f = await this.files.find({ 'metadata.group': group }).sort({ uploadDate: -1 }).limit(1).next();
      if (f) yield { group, newest: f.uploadDate.getTime() };
    }
  }

  async deleteGroup(group: string): Promise<number> {
    const ids = await this.files.find({ 'metadata.group': group }, { projection: { _id: 1 } }).toArray();
    for (const f of ids) await this.bucket.delete(f._id).catch(() => undefined);
    return ids.length;
  }

  async deleteIfOlder(path: string, before: number): Promise<boolean> {
    const f = await this.newest(path);
    if (!f || f.uploadDate.getTime() >= before) return false;
    await this.bucket.delete(f._id).catch(() => undefined);
    return true;
  }

  async list(group: string): Promise<string[]> {
    return (await this.files.find({ 'metadata.group': group }, { projection: { filename: 1 } }).toArray()).map((f) => f.filename);
  }

  async close(): Promise<void> {
    await this.client?.close();
  }
}
