import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { isSafePath, PayloadTooBig, type PayloadBlobStore, type StoredPayload } from './port';

/**
 * Payload files in a directory beside the SQLite database (`baton.sqlite.payloads/`), one folder
 * per group. A write goes to a temporary name, is fsynced, then renamed into place, and the folder
 * is fsynced: a crash leaves either the whole payload or none (plus a temporary file, which the
 * retention sweep removes), never half a file behind a reference.
 */
export class FilePayloadStore implements PayloadBlobStore {
  readonly kind = 'files' as const;

  constructor(private readonly root: string) {}

  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }

  private file(path: string): string {
    if (!isSafePath(path)) throw new Error(`unsafe payload path '${path.slice(0, 200)}'`);
    return join(this.root, path);
  }

  async put(path: string, source: AsyncIterable<Buffer | string> | Buffer, maxBytes: number): Promise<StoredPayload> {
    const target = this.file(path);
    await mkdir(dirname(target), { recursive: true });
    const temp = join(dirname(target), `.tmp-${randomUUID()}`);
    const hash = createHash('sha256');
    let bytes = 0;
    const out = createWriteStream(temp, { flags: 'wx' });
    try {
      const chunks = Buffer.isBuffer(source) ? [source] : source;
      for await (const raw of chunks) {
        const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
        bytes += chunk.length;
        if (bytes > maxBytes) throw new PayloadTooBig(maxBytes);
        hash.update(chunk);
        // Back-pressure: a slow disk holds the upload, not the engine's memory.
        if (!out.write(chunk)) await once(out, 'drain');
      }
      out.end();
      await finished(out);
      await syncFile(temp);
      await rename(temp, target);
      await syncFile(dirname(target));
    } catch (err) {
      out.destroy();
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    return { sha256: hash.digest('hex'), bytes };
  }

  async open(path: string): Promise<Readable | null> {
    const file = this.file(path);
    try {
      const h = await open(file, 'r');
      return h.createReadStream({ highWaterMark: 256 * 1024 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async size(path: string): Promise<number | null> {
    try {
      return (await stat(this.file(path))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async rename(from: string, to: string): Promise<boolean> {
    const target = this.file(to);
    await mkdir(dirname(target), { recursive: true });
    try {
      await rename(this.file(from), target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    await syncFile(dirname(target));
    return true;
  }

  /** A folder's mtime moves whenever a payload is written or renamed into it: one stat per group, not per file. */
  async *groups(): AsyncIterable<{ group: string; newest: number }> {
    for (const group of await readdir(this.root).catch(() => [] as string[])) {
      const s = await stat(join(this.root, group)).catch(() => null);
      if (s?.isDirectory()) yield { group, newest: s.mtimeMs };
    }
  }

  async deleteGroup(group: string): Promise<number> {
    const dir = join(this.root, group);
    if (!isSafePath(`${group}/x`)) return 0;
    const names = await readdir(dir).catch(() => [] as string[]);
    await rm(dir, { recursive: true, force: true });
    return names.length;
  }

  async deleteIfOlder(path: string, before: number): Promise<boolean> {
    const file = join(this.root, path);
    const s = await stat(file).catch(() => null);
    if (!s || s.mtimeMs >= before) return false;
    await unlink(file).catch(() => undefined);
    return true;
  }

  async list(group: string): Promise<string[]> {
    return (await readdir(join(this.root, group)).catch(() => [] as string[])).map((n) => `${group}/${n}`);
  }

  async close(): Promise<void> {}
}

async function syncFile(path: string): Promise<void> {
  const h = await open(path, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
