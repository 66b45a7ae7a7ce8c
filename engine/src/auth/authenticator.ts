import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { Role, type ApiKeyRecord } from '../domain/roles';
import type { Clock } from '../runtime/clock';
import { UnauthenticatedError } from '../security-errors';
import type { AuthStore } from '../store/auth-port';
import { hashSecret, secretMatches } from './keys';
import { TokenSigner } from './tokens';

/** Who made a request: the key, and what its role lets it do. */
export interface Principal {
  keyId: string;
  role: Role;
  /** Task types a worker key may poll and report ('*': all); empty for other roles. */
  taskTypes: readonly string[];
}

export interface AuthOptions {
  /** The bootstrap admin key from configuration (BATON_ADMIN_KEY_ID / BATON_ADMIN_KEY_SECRET). */
  bootstrap: { keyId: string; keySecret: string };
  tokenTtlSeconds: number;
  /** How long a key read from the store is trusted before it is read again (deletions by another engine). */
  keyCacheMs: number;
}

/** Headers that can carry credentials, as Express exposes them. */
export interface CredentialHeaders {
  'x-authorization'?: string | string[] | undefined;
  authorization?: string | undefined;
}

/** Cached keys at most; beyond it the cache starts over (misses only cost a store read). */
const KEY_CACHE_MAX = 10_000;

/**
 * Authentication (docs/security.md): exchanges a key id and secret for a token (POST /api/token,
 * as Conductor's SDKs do), and turns a request's credentials into a Principal. Accepted: the
 * token in `X-Authorization` (Conductor's SDKs) or `Authorization: Bearer`, and the key itself as
 * `Authorization: Basic` (Prometheus scrapers, curl). The bootstrap admin key lives in the
 * configuration, every other key in the store; a key is re-read at most every `keyCacheMs`, so
 * a deletion or role change made through another engine applies within that time (at once here).
 */
export class Authenticator {
  private signer!: TokenSigner;
  private readonly keys = new Map<string, { key: ApiKeyRecord | null; at: number }>();
  private readonly bootstrap: ApiKeyRecord;

  constructor(
    private readonly store: AuthStore,
    private readonly clock: Clock,
    private readonly options: AuthOptions,
    private readonly log: Logger,
  ) {
    const { keyId, keySecret } = options.bootstrap;
    const secretHash = hashSecret(keySecret);
    this.bootstrap = {
      keyId,
      secretHash,
      role: Role.ADMIN,
      taskTypes: [],
      description: 'bootstrap admin key (configuration)',
      createdAt: 0,
      createdBy: 'configuration',
      updatedAt: 0,
      // Derived from the secret: a new configured secret invalidates the old one's tokens.
      secretVersion: `config-${secretHash.slice(0, 16)}`,
    };
  }

  async init(): Promise<void> {
    const secret = await this.store.tokenSigningSecret(randomBytes(48).toString('base64url'));
    this.signer = new TokenSigner(secret, this.options.tokenTtlSeconds, this.clock);
  }

  get bootstrapKeyId(): string {
    return this.bootstrap.keyId;
  }

  get tokenTtlSeconds(): number {
    return this.signer.ttl;
  }

  /** POST /api/token: a token for a valid key id and secret. */
  async issueToken(keyId: string, keySecret: string): Promise<string> {
    const key = await this.key(keyId, true);
    if (!key || !secretMatches(keySecret, key.secretHash)) {
      this.log.warn({ keyId: keyId.slice(0, 100) }, 'token refused: unknown key or wrong secret');
      throw new UnauthenticatedError('INVALID_CREDENTIALS', 'unknown key id or wrong key secret');
    }
    return this.signer.sign({ keyId: key.keyId, secretVersion: key.secretVersion });
  }

  /** The principal a request's credentials prove; UnauthenticatedError when there are none or they do not hold. */
  async authenticate(headers: CredentialHeaders): Promise<Principal> {
    const x = headers['x-authorization'];
    const xToken = Array.isArray(x) ? x[0] : x;
    const auth = headers.authorization;
    if (xToken) return this.fromToken(xToken.replace(/^Bearer\s+/i, '').trim());
    if (auth) {
      const [scheme = '', value = ''] = auth.trim().split(/\s+/, 2);
      if (/^bearer$/i.test(scheme)) return this.fromToken(value);
      if (/^basic$/i.test(scheme)) return this.fromBasic(value);
      throw new UnauthenticatedError(
        'INVALID_TOKEN',
        `unsupported Authorization scheme '${scheme.slice(0, 20)}': use Bearer (a token) or Basic (key id and secret)`,
      );
    }
    throw new UnauthenticatedError(
      'MISSING_TOKEN',
      'authentication required: get a token at POST /api/token and send it as X-Authorization',
    );
  }

  /** A key changed or was deleted through this engine: forget what the cache holds. */
  forget(keyId: string): void {
    this.keys.delete(keyId);
  }

  private async fromToken(token: string): Promise<Principal> {
    const claims = this.signer.verify(token);
    const key = await this.key(claims.keyId, false);
    if (!key) throw new UnauthenticatedError('INVALID_TOKEN', `the key '${claims.keyId}' of this token no longer exists`);
    if (key.secretVersion !== claims.secretVersion)
      throw new UnauthenticatedError('INVALID_TOKEN', `the key '${claims.keyId}' of this token has a new secret`);
    return principalOf(key);
  }

  private async fromBasic(value: string): Promise<Principal> {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new UnauthenticatedError('INVALID_CREDENTIALS', 'Basic credentials must be keyId:keySecret');
    const key = await this.key(decoded.slice(0, colon), true);
    if (!key || !secretMatches(decoded.slice(colon + 1), key.secretHash))
      throw new UnauthenticatedError('INVALID_CREDENTIALS', 'unknown key id or wrong key secret');
    return principalOf(key);
  }

  /** The key, from configuration, the cache, or the store. `fresh` reads through the cache (secret checks). */
  private async key(keyId: string, fresh: boolean): Promise<ApiKeyRecord | null> {
    if (keyId === this.bootstrap.keyId) return this.bootstrap;
    const now = this.clock.now();
    const cached = this.keys.get(keyId);
    if (!fresh && cached && now - cached.at < this.options.keyCacheMs) return cached.key;
    const key = await this.store.getApiKey(keyId);
    if (this.keys.size >= KEY_CACHE_MAX) this.keys.clear();
    if (key) this.keys.set(keyId, { key, at: now });
    else this.keys.delete(keyId);
    return key;
  }
}

function principalOf(key: ApiKeyRecord): Principal {
  return { keyId: key.keyId, role: key.role, taskTypes: key.role === Role.WORKER ? key.taskTypes : [] };
}
