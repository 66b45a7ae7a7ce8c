import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConfigError } from '../errors';
import type { EncodedValue } from './envelope';
import { ENCODED_MARKER } from './envelope';
import type { PayloadCodec } from './payload-codec';
import { CodecError } from './payload-codec';

export const AES_GCM_CODEC = 'aes-256-gcm';

/** 96-bit nonces are GCM's native size (NIST SP 800-38D); random ones are safe for 2^32 messages per key. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface AesGcmCodecOptions {
  /** Every key that may have encoded a stored value, by key id: 32 bytes, or their base64. */
  keys: Readonly<Record<string, Uint8Array | string>>;
  /** The key new values are encrypted with; the others only decrypt (rotation). */
  currentKeyId: string;
}

/**
 * AES-256-GCM with key ids: encrypts with the current key, decrypts with whichever key an envelope
 * names, so rotating keys is adding a key, making it current, and keeping the old one for as long
 * as values encrypted with it are stored. The key id is authenticated (additional data), so an
 * envelope relabelled with another key id fails to decrypt instead of decrypting wrongly.
 * `data` is base64 of nonce (12 bytes), ciphertext and tag (16 bytes).
 */
export class AesGcmCodec implements PayloadCodec {
  readonly name = AES_GCM_CODEC;
  private readonly keys: ReadonlyMap<string, Buffer>;
  readonly currentKeyId: string;

  constructor(options: AesGcmCodecOptions) {
    const keys = new Map<string, Buffer>();
    for (const [keyId, raw] of Object.entries(options.keys ?? {})) {
      if (keyId === '') throw new ConfigError('a key id must not be empty');
      const key = typeof raw === 'string' ? Buffer.from(raw, 'base64') : Buffer.from(raw);
      if (key.length !== KEY_BYTES) throw new ConfigError(`key ${keyId} must be ${KEY_BYTES} bytes (AES-256), got ${key.length}`);
      keys.set(keyId, key);
    }
    if (!keys.has(options.currentKeyId))
      throw new ConfigError(`currentKeyId ${JSON.stringify(options.currentKeyId)} is not one of the keys`);
    this.keys = keys;
    this.currentKeyId = options.currentKeyId;
  }

  /** A fresh random key, base64, for configuration. */
  static generateKey(): string {
    return randomBytes(KEY_BYTES).toString('base64');
  }

  encode(value: unknown): Promise<EncodedValue> {
    const keyId = this.currentKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(keyId) as Buffer, iv);
    cipher.setAAD(aad(keyId));
    const plain = Buffer.from(JSON.stringify(value ?? null), 'utf8');
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]).toString('base64');
    return Promise.resolve({ [ENCODED_MARKER]: AES_GCM_CODEC, keyId, data });
  }

  decode(encoded: EncodedValue): Promise<unknown> {
    return new Promise((resolve) => resolve(this.decodeNow(encoded)));
  }

  private decodeNow(encoded: EncodedValue): unknown {
    if (encoded[ENCODED_MARKER] !== AES_GCM_CODEC)
      throw new CodecError(`cannot decode a value encoded by ${JSON.stringify(encoded[ENCODED_MARKER])}`);
    const keyId = encoded.keyId ?? '';
    const key = this.keys.get(keyId);
    if (!key) throw new CodecError(`unknown key id ${JSON.stringify(keyId)}: this codec knows ${[...this.keys.keys()].join(', ')}`);
    const bytes = Buffer.from(encoded.data, 'base64');
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new CodecError(`encoded data is too short (${bytes.length} bytes)`);
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(aad(keyId));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    } catch (cause) {
      throw new CodecError(`value encrypted with key ${keyId} failed authentication (altered, or another key under that id)`, { cause });
    }
    return JSON.parse(plain.toString('utf8')) as unknown;
  }
}

const aad = (keyId: string): Buffer => Buffer.from(`${AES_GCM_CODEC}:${keyId}`, 'utf8');
