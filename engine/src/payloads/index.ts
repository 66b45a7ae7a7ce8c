import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { ExternalPayloads } from './external';
import { FilePayloadStore } from './file-store';
import type { PayloadBlobStore } from './port';

export { ExternalPayloads } from './external';
export type { PayloadBlobStore } from './port';

/** An hour: a worker has that long to report after uploading, and a decision to commit after writing. */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;
/** How long a handed-out location stays valid: enough for a slow large upload, short enough to be worth little if it leaks. */
export const LOCATION_TTL_MS = 60 * 60 * 1000;

/** The payload store beside the engine's store: files next to the SQLite file, or GridFS in the same MongoDB database. */
export async function createPayloadStore(config: Config, kind: 'sqlite' | 'mongodb', log: Logger): Promise<ExternalPayloads> {
  let blobs: PayloadBlobStore;
  if (kind === 'mongodb' && config.mongodbUri) {
    const { GridFsPayloadStore } = await import('./gridfs-store');
    blobs = new GridFsPayloadStore({ uri: config.mongodbUri, dbName: config.mongodbDb || undefined });
  } else {
    blobs = new FilePayloadStore(join(config.dataDir, 'baton.sqlite.payloads'));
  }
  await blobs.init();
  return new ExternalPayloads(
    blobs,
    {
      thresholdBytes: config.externalPayloadThresholdBytes,
      maxBytes: config.maxExternalPayloadBytes,
      urlTtlMs: LOCATION_TTL_MS,
      orphanGraceMs: ORPHAN_GRACE_MS,
    },
    log,
  );
}
