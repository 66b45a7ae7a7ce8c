import { pipeline } from 'node:stream/promises';
import { Router, type Request } from 'express';
import { maskPayloads } from '../../auth/mask';
import { ConflictError, NotFoundError } from '../../errors';
import type { ExternalPayloads } from '../../payloads/external';
import type { Engine } from '../../runtime/engine';
import { ForbiddenError } from '../../security-errors';

/**
 * The payload store over HTTP, through signed locations only (docs/payloads.md): what
 * GET /api/{workflow,tasks}/external-storage-location hands out. The signature is the
 * authority, as with a presigned object-store URL, because Conductor's clients PUT and GET these
 * URIs without their credentials. Mounted before the JSON body parser: uploads are streamed to
 * the payload store as they arrive, never held whole.
 */
export function payloadRoutes(engine: Engine): Router {
  const r = Router();
  const ext = (): ExternalPayloads => {
    if (!engine.external) throw new NotFoundError('external payload storage is off (BATON_EXTERNAL_PAYLOAD_THRESHOLD_BYTES=0)');
    return engine.external;
  };
  const signed = (x: ExternalPayloads, op: 'r' | 'w', path: string, req: Request): { mask: boolean } => {
    const ok = x.checkSigned(op, path, req.query as Record<string, unknown>, engine.clock.now());
    if (typeof ok === 'string') throw new ForbiddenError(`payload location refused: ${ok}`, 'PAYLOAD_LOCATION_REFUSED');
    return ok;
  };

  r.put('/:group/:name', async (req, res) => {
    const x = ext();
    const path = `${req.params.group}/${req.params.name}`;
    signed(x, 'w', path, req);
    // Written once: an upload location cannot be used to replace what a report already named.
    if ((await x.blobs.size(path)) !== null) throw new ConflictError(`a payload was uploaded to '${path}' already: ask for a new location`);
    await x.store(path, req as AsyncIterable<Buffer>);
    res.status(200).end();
  });

  r.get('/:group/:name', async (req, res) => {
    const x = ext();
    const path = `${req.params.group}/${req.params.name}`;
    const { mask } = signed(x, 'r', path, req);
    const stream = await x.blobs.open(path);
    if (!stream) throw new NotFoundError(`no payload at '${path}'`);
    if (mask) {
      // A viewer sees the payload's shape, as in every other answer (auth/mask.ts): read whole to mask.
      const chunks: Buffer[] = [];
      for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
      res.json((maskPayloads({ output: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown }) as { output: unknown }).output);
      return;
    }
    const size = await x.blobs.size(path);
    res.status(200).type('application/json');
    if (size !== null) res.setHeader('Content-Length', String(size));
    await pipeline(stream, res);
  });

  return r;
}
