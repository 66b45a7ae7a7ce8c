import type { ApiKeyRecord } from '../domain/roles';

/**
 * The storage port's part for authentication (docs/security.md): API keys, held with a hash of
 * their secret, and the secret that signs access tokens, shared by every engine on the store.
 * Each method is one atomic step, as everywhere in the port.
 */
export interface AuthStore {
  /** Inserts a key; false, changing nothing, when a key with its id exists. */
  createApiKey(key: ApiKeyRecord): Promise<boolean>;
  /** Replaces an existing key; false when there is none with its id. */
  updateApiKey(key: ApiKeyRecord): Promise<boolean>;
  getApiKey(keyId: string): Promise<ApiKeyRecord | null>;
  /** Every key, by id. */
  listApiKeys(): Promise<ApiKeyRecord[]>;
  deleteApiKey(keyId: string): Promise<boolean>;
  /**
   * The token signing secret. The first caller's `candidate` is stored and every later call, from
   * any engine, answers that one: engines that start together agree on one secret.
   */
  tokenSigningSecret(candidate: string): Promise<string>;
}
