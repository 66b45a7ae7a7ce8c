import type { Collection, Db } from 'mongodb';
import type { ApiKeyRecord } from '../../domain/roles';
import { isDuplicateKey } from './definitions';

interface ApiKeyDoc extends Omit<ApiKeyRecord, 'keyId'> {
  _id: string;
}

interface SettingDoc {
  _id: string;
  value: string;
}

const SIGNING_SECRET = 'token_signing_secret';

/**
 * API keys and the token signing secret. Atomic: one document per key, keyed by its id, so
 * "create unless it exists" is one insertOne (a duplicate key refuses it) and "replace if it
 * exists" one replaceOne without upsert. The signing secret is one document written with
 * $setOnInsert: of engines starting together, the first upsert stores its candidate and every
 * other one reads it back (a concurrent upsert that loses the race on the unique _id reads too).
 */
export class MongoApiKeys {
  private readonly keys: Collection<ApiKeyDoc>;
  private readonly settings: Collection<SettingDoc>;

  constructor(db: Db) {
    this.keys = db.collection<ApiKeyDoc>('api_keys');
    this.settings = db.collection<SettingDoc>('settings');
  }

  async create(key: ApiKeyRecord): Promise<boolean> {
    try {
      await this.keys.insertOne(toDoc(key));
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async update(key: ApiKeyRecord): Promise<boolean> {
    return (await this.keys.replaceOne({ _id: key.keyId }, toDoc(key))).matchedCount === 1;
  }

  async get(keyId: string): Promise<ApiKeyRecord | null> {
    const d = await this.keys.findOne({ _id: keyId });
    return d ? fromDoc(d) : null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return (await this.keys.find({}).sort({ _id: 1 }).toArray()).map(fromDoc);
  }

  async delete(keyId: string): Promise<boolean> {
    return (await this.keys.deleteOne({ _id: keyId })).deletedCount === 1;
  }

  async tokenSigningSecret(candidate: string): Promise<string> {
    try {
      const d = await this.settings.findOneAndUpdate(
        { _id: SIGNING_SECRET },
        { $setOnInsert: { value: candidate } },
        { upsert: true, returnDocument: 'after' },
      );
      if (d) return d.value;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const d = await this.settings.findOne({ _id: SIGNING_SECRET });
    if (!d) throw new Error('token signing secret missing after upsert');
    return d.value;
  }
}

function toDoc(key: ApiKeyRecord): ApiKeyDoc {
  const { keyId, ...rest } = key;
  return { _id: keyId, ...rest };
}

function fromDoc(d: ApiKeyDoc): ApiKeyRecord {
  const { _id, ...rest } = d;
  return { keyId: _id, ...rest };
}
