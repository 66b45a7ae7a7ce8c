import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { JsonObject } from '../domain/records';
import { BatonError, PayloadTooLargeError, ValidationError } from '../errors';
import { formatBytes } from '../decider/limits';
import { isSafePath, PayloadTooBig, type PayloadBlobStore } from './port';

/** The single key of a payload object that stands for a payload kept in the payload store. */
export const EXTERNAL_KEY = '$externalPayload';

/**
 * Where a run's payload lives when it is external: its path in the payload store, the content's
 * sha256 (checked on every read) and size, and the engine's signature over the three, so that a
 * script's output shaped like a reference cannot make the engine read another run's payload.
 */
export interface PayloadRef {
  path: string;
  sha256: string;
  bytes: number;
  sig: string;
}

export interface ExternalPayloadOptions {
  /** Payloads whose JSON is larger than this go to the payload store. */
  thresholdBytes: number;
  /** Largest external payload (uploads and computed payloads). */
  maxBytes: number;
  /** How long a signed upload or download location stays valid. */
  urlTtlMs: number;
  /** Uploads never attached to a task, and unreferenced groups, are removed this long after they were written. */
  orphanGraceMs: number;
}

export type UrlOperation = 'r' | 'w';

/** A payload in the store that is missing, altered or not JSON: the run's data is damaged. */
export class PayloadUnreadableError extends BatonError {
  constructor(message: string) {
    super('PAYLOAD_UNREADABLE', message, 500);
  }
}

/**
 * External payload storage (docs/payloads.md, "External payload storage"): payloads above the
 * threshold are written to the payload store and the run keeps a signed reference in their place
 * (`{ "$externalPayload": PayloadRef }`). The engine resolves references when a decision reads a
 * payload; the API shows them as Conductor's externalInput/OutputPayloadStoragePath, with signed
 * locations to read or upload them (`/api/payloads/...`).
 */
export class ExternalPayloads {
  private key: Buffer | null = null;

  constructor(
    readonly blobs: PayloadBlobStore,
    readonly options: ExternalPayloadOptions,
    private readonly log: Logger,
  ) {}

  /** The signing key, derived from the secret every engine on the store shares (Store.tokenSigningSecret). */
  setSecret(secret: string): void {
    this.key = createHmac('sha256', secret).update('baton external payloads v1').digest();
  }

  private mac(text: string): string {
    if (!this.key) throw new Error('external payloads: no signing key (setSecret was not called)');
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }

  // ---- references

  /** The reference a payload object stands for, or null (a plain payload, or a forged or damaged reference). */
  refOf(value: unknown): PayloadRef | null {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    const ref = (value as Record<string, unknown>)[EXTERNAL_KEY] as Partial<PayloadRef> | undefined;
    if (!ref || typeof ref !== 'object' || Object.keys(value).length !== 1) return null;
    if (typeof ref.path !== 'string' || typeof ref.sha256 !== 'string' || typeof ref.bytes !== 'number' || typeof ref.sig !== 'string')
      return null;
    return equal(ref.sig, this.mac(`${ref.path}|${ref.sha256}|${ref.bytes}`)) ? (ref as PayloadRef) : null;
  }

  private refTo(path: string, sha256: string, bytes: number): JsonObject {
    return { [EXTERNAL_KEY]: { path, sha256, bytes, sig: this.mac(`${path}|${sha256}|${bytes}`) } };
  }

  /** Client payloads must not look like references (they would be taken for one, or confuse readers). */
  refuseLookalike(value: JsonObject, pointer: string): void {
    if (Object.prototype.hasOwnProperty.call(value, EXTERNAL_KEY)) {
      throw new ValidationError(`${pointer.slice(1)} may not have the key '${EXTERNAL_KEY}' (reserved for external payload references)`, [
        { pointer: `${pointer}/${EXTERNAL_KEY.replace(/~/g, '~0')}`, message: 'is reserved' },
      ]);
    }
  }

  /**
   * The payload as the run keeps it: itself when its JSON is at most the threshold, else a
   * reference to `<group>/<name>.<hash>.json`, written before the run records it. `json` is the
   * payload's JSON when the caller has it already.
   */
  async externalize(value: JsonObject, group: string, name: string, json?: string): Promise<JsonObject> {
    if (this.refOf(value)) return value;
    const text = json ?? JSON.stringify(value);
    if (text.length <= this.options.thresholdBytes && Buffer.byteLength(text) <= this.options.thresholdBytes) return value;
    const bytes = Buffer.byteLength(text);
    if (bytes > this.options.maxBytes) throw this.tooBig(bytes, name);
    // Hashed and written a slice at a time: the JSON text is the only whole copy (no 50 MB Buffer beside it).
    const hash = createHash('sha256');
    for (const part of slices(text)) hash.update(part);
    const sha256 = hash.digest('hex');
    const path = `${group}/${name}.${sha256.slice(0, 16)}.json`;
    // Ids Baton makes are always safe path segments; anything else stays inline rather than fail the commit.
    if (!isSafePath(path)) return value;
    await this.blobs.put(path, slicesAsync(text), this.options.maxBytes);
    return this.refTo(path, sha256, bytes);
  }

  /** Does this payload go external (its JSON over the threshold)? Answers its JSON when it does. */
  over(value: JsonObject): string | null {
    if (this.refOf(value)) return null;
    const text = JSON.stringify(value);
    return text.length > this.options.thresholdBytes || Buffer.byteLength(text) > this.options.thresholdBytes ? text : null;
  }

  /**
   * A worker's upload (`uploads/<id>.json`, written through a signed location) made part of a
   * run: hashed as it is read back (streamed, never held whole), moved into the run's group, and
   * answered as the reference the run keeps.
   */
  async attachUpload(uploadPath: string, group: string, name: string, pointer: string): Promise<JsonObject> {
    if (!uploadPath.startsWith('uploads/') || !isSafePath(uploadPath)) {
      throw new ValidationError(`${pointer.slice(1)} must be a path answered by GET /api/tasks/external-storage-location?operation=WRITE`, [
        { pointer, message: 'is not an upload location' },
      ]);
    }
    const stream = await this.blobs.open(uploadPath);
    if (!stream) {
      throw new ValidationError(`nothing was uploaded to '${uploadPath}' (PUT the payload to the location's uri first)`, [
        { pointer, message: 'has no payload' },
      ]);
    }
    const hash = createHash('sha256');
    let bytes = 0;
    let first = -1;
    let last = -1;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
      for (let i = 0; i < chunk.length && first < 0; i++) if (!isSpace(chunk[i] as number)) first = chunk[i] as number;
      for (let i = chunk.length - 1; i >= 0; i--) {
        if (!isSpace(chunk[i] as number)) {
          last = chunk[i] as number;
          break;
        }
      }
    }
    // A cheap check of the shape, without parsing 50 MB here: a task's output is a JSON object.
    if (first !== 0x7b || last !== 0x7d) {
      throw new ValidationError(`the payload uploaded to '${uploadPath}' is not a JSON object`, [
        { pointer, message: 'must be a JSON object' },
      ]);
    }
    const sha256 = hash.digest('hex');
    const path = `${group}/${name}.${sha256.slice(0, 16)}.json`;
    if (!(await this.blobs.rename(uploadPath, path))) {
      throw new ValidationError(`nothing was uploaded to '${uploadPath}'`, [{ pointer, message: 'has no payload' }]);
    }
    return this.refTo(path, sha256, bytes);
  }

  /**
   * Reads a referenced payload back: streamed from the store (the event loop is free between
   * chunks), its hash checked, then parsed. Parsing takes time proportional to the payload (about
   * 0.1-0.3 s for 50 MB) on the calling thread.
   */
  async resolve(ref: PayloadRef): Promise<JsonObject> {
    const stream = await this.blobs.open(ref.path);
    if (!stream) throw new PayloadUnreadableError(`external payload '${ref.path}' is missing from the payload store`);
    const hash = createHash('sha256');
    // One buffer of the recorded size, filled as chunks arrive: no list of chunks and a concatenated copy besides.
    const whole = Buffer.allocUnsafe(ref.bytes);
    let bytes = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (bytes + chunk.length > ref.bytes) {
        bytes += chunk.length;
        stream.destroy();
        break;
      }
      hash.update(chunk);
      chunk.copy(whole, bytes);
      bytes += chunk.length;
    }
    if (bytes !== ref.bytes || hash.digest('hex') !== ref.sha256) {
      throw new PayloadUnreadableError(
        `external payload '${ref.path}' does not match its recorded sha256 and size: it was altered or damaged`,
      );
    }
    const text = whole.toString('utf8');
    try {
      return JSON.parse(text) as JsonObject;
    } catch (err) {
      throw new PayloadUnreadableError(`external payload '${ref.path}' is not JSON: ${(err as Error).message}`);
    }
  }

  /** A payload object with its reference resolved (itself when it is not one). */
  async resolved(value: JsonObject): Promise<{ value: JsonObject; external: boolean }> {
    const ref = this.refOf(value);
    return ref ? { value: await this.resolve(ref), external: true } : { value, external: false };
  }

  tooBig(bytes: number, what: string): PayloadTooLargeError {
    const max = formatBytes(this.options.maxBytes);
    return new PayloadTooLargeError(
      `${what} is ${formatBytes(bytes)}, over the external payload limit of ${max} (BATON_MAX_EXTERNAL_PAYLOAD_BYTES)`,
      [{ pointer: '', message: `must be at most ${max}` }],
    );
  }

  // ---- signed locations

  /** A new upload path (Conductor's WRITE location). */
  newUploadPath(): string {
    return `uploads/${randomUUID()}.json`;
  }

  /** The query string that lets its holder read (or write) one path until `expires` (ms); `mask`: a viewer's read. */
  signedQuery(op: UrlOperation, path: string, expires: number, mask: boolean): string {
    const m = mask ? '1' : '0';
    return `op=${op}&exp=${expires}&m=${m}&sig=${this.mac(`${op}|${path}|${expires}|${m}`)}`;
  }

  /** Checks a signed location; answers whether the read must be masked, or the problem. */
  checkSigned(op: UrlOperation, path: string, q: Record<string, unknown>, now: number): { mask: boolean } | string {
    const { exp, m, sig } = q;
    if (q.op !== op || typeof exp !== 'string' || typeof sig !== 'string' || (m !== '0' && m !== '1'))
      return 'the location is not signed for this operation';
    if (!equal(sig, this.mac(`${op}|${path}|${exp}|${m}`))) return 'the location signature does not match';
    if (!(Number(exp) > now)) return 'the location has expired: ask for a new one';
    return { mask: m === '1' };
  }

  async store(path: string, body: AsyncIterable<Buffer>): Promise<void> {
    try {
      await this.blobs.put(path, body, this.options.maxBytes);
    } catch (err) {
      if (err instanceof PayloadTooBig) throw this.tooBig(this.options.maxBytes + 1, 'the upload');
      throw err;
    }
  }

  // ---- retention

  /**
   * Removes payloads whose run is gone (retention deleted it, or a start or decision that wrote
   * them never committed) and uploads never attached to a task, once older than the grace period.
   * A group whose run exists, or is archived, stays. Answers how many payloads it removed.
   */
  async sweep(runExists: (workflowId: string) => Promise<boolean>, now: number): Promise<number> {
    const before = now - this.options.orphanGraceMs;
    let removed = 0;
    for await (const { group, newest } of this.blobs.groups()) {
      if (group === 'uploads') {
        for (const path of await this.blobs.list('uploads')) if (await this.blobs.deleteIfOlder(path, before)) removed++;
        continue;
      }
      if (newest >= before || (await runExists(group))) continue;
      removed += await this.blobs.deleteGroup(group);
    }
    if (removed) this.log.info({ removed }, 'removed payloads of deleted runs and stale uploads');
    return removed;
  }
}

const SLICE = 1024 * 1024;

/** Slices of a string that never split a surrogate pair (which would encode as U+FFFD). */
function* slices(text: string): Generator<string> {
  for (let i = 0; i < text.length;) {
    let end = Math.min(i + SLICE, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end++;
    yield text.slice(i, end);
    i = end;
  }
}

async function* slicesAsync(text: string): AsyncGenerator<Buffer> {
  for (const part of slices(text)) yield Buffer.from(part);
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** The path of a payload object that is a reference, for display (Conductor's externalXPayloadStoragePath); not verified. */
export function externalPathOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const ref = (value as Record<string, unknown>)[EXTERNAL_KEY] as { path?: unknown } | undefined;
  return ref && typeof ref.path === 'string' ? ref.path : undefined;
}

/** The task a payload path names (`<workflowId>/<taskId>.input|output.<hash>.json`), or null. */
export function taskOfPath(path: string): { workflowId: string; taskId: string } | null {
  const m = /^([^/]+)\/(.+)\.(input|output)\.[0-9a-f]{16}\.json$/.exec(path);
  return m ? { workflowId: m[1] as string, taskId: m[2] as string } : null;
}
