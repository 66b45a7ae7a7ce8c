import type { Readable } from 'node:stream';

/** What a finished write stored: the content's sha256 (hex) and its length. */
export interface StoredPayload {
  sha256: string;
  bytes: number;
}

/**
 * Where payloads above the external threshold live (docs/payloads.md, "External payload storage"):
 * files beside the SQLite database, GridFS on MongoDB. Paths are `<group>/<name>`: the group is a
 * workflow id (deleted with its run) or `uploads` (a worker's upload not yet attached to a task).
 * A path is readable only once its write is complete, so a crash never leaves half a payload
 * behind a reference. No driver type crosses this interface.
 */
export interface PayloadBlobStore {
  readonly kind: 'files' | 'gridfs';
  init(): Promise<void>;
  /**
   * Streams `source` to `path`, hashing as it goes; visible only when complete. Past `maxBytes`
   * the write is abandoned and PayloadTooBig is thrown. Writing an existing path replaces it.
   */
  put(path: string, source: AsyncIterable<Buffer | string> | Buffer, maxBytes: number): Promise<StoredPayload>;
  /** A stream of the payload, or null when there is none at `path`. */
  open(path: string): Promise<Readable | null>;
  size(path: string): Promise<number | null>;
  /** Moves a payload (an upload to its run's group); false when there is none at `from`. */
  rename(from: string, to: string): Promise<boolean>;
  /** Groups and when their newest payload was written (ms), for the retention sweep. */
  groups(): AsyncIterable<{ group: string; newest: number }>;
  /** Deletes every payload of a group; answers how many. */
  deleteGroup(group: string): Promise<number>;
  /** Deletes one payload if it is older than `before` (ms); answers whether it did. */
  deleteIfOlder(path: string, before: number): Promise<boolean>;
  /** Paths of a group (tests, the retention sweep of uploads). */
  list(group: string): Promise<string[]>;
  close(): Promise<void>;
}

export class PayloadTooBig extends Error {
  constructor(readonly maxBytes: number) {
    super(`payload over ${maxBytes} bytes`);
  }
}

/** Path segments are ids and names Baton makes: letters, digits, '.', '_', '-'; never '..'. */
export function isSafePath(path: string): boolean {
  const parts = path.split('/');
  return parts.length === 2 && parts.every((p) => /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/.test(p) && !p.includes('..'));
}

export const groupOf = (path: string): string => path.slice(0, path.indexOf('/'));
