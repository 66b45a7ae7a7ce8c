import { Router, type Request } from 'express';
import type { Authenticator } from '../../auth/authenticator';
import { KEY_ID_PATTERN, hashSecret, newKeyId, newKeySecret, newSecretVersion } from '../../auth/keys';
import { Role, roles, type ApiKeyRecord } from '../../domain/roles';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import type { Engine } from '../../runtime/engine';
import { principalOf } from '../access/principal';
import { check, compile } from '../validate';

interface TokenRequest {
  keyId: string;
  keySecret: string;
}

interface KeyBody {
  keyId?: string;
  role: Role;
  taskTypes?: string[];
  description?: string;
}

const validateTokenRequest = compile<TokenRequest>({
  type: 'object',
  required: ['keyId', 'keySecret'],
  properties: { keyId: { type: 'string', minLength: 1, maxLength: 200 }, keySecret: { type: 'string', minLength: 1, maxLength: 500 } },
});

const keyBodySchema = {
  type: 'object',
  required: ['role'],
  additionalProperties: false,
  properties: {
    keyId: { type: 'string', pattern: KEY_ID_PATTERN },
    role: { enum: roles },
    taskTypes: { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 200 } },
    description: { type: 'string', maxLength: 1000 },
  },
};
const validateKeyBody = compile<KeyBody>(keyBodySchema);

/**
 * Conductor's token endpoint (what its SDKs call with a key id and secret) and Baton's key
 * management. Mounted only when authentication is on: without it `POST /api/token` is a 404,
 * which Conductor's SDKs read as "a server without authentication" and go on without a token.
 */
export function tokenRoutes(auth: Authenticator): Router {
  const r = Router();
  r.post('/', async (req, res) => {
    const b = check(validateTokenRequest, req.body ?? {}, 'token request');
    res.json({ token: await auth.issueToken(b.keyId, b.keySecret) });
  });
  // Orkes: who the token belongs to.
  r.get('/userInfo', (req, res) => {
    const p = principalOf(req);
    res.json({ id: p?.keyId, name: p?.keyId, roles: p ? [{ name: p.role }] : [], taskTypes: p?.taskTypes ?? [] });
  });
  return r;
}

/** Admin only (route-table.ts): create, list, change, rotate and delete API keys. Secrets are shown once. */
export function keyRoutes(engine: Engine, auth: Authenticator): Router {
  const r = Router();
  const store = engine.store;
  const view = (k: ApiKeyRecord, source: 'store' | 'configuration' = 'store') => ({
    keyId: k.keyId,
    role: k.role,
    taskTypes: k.taskTypes,
    description: k.description,
    createdAt: k.createdAt,
    createdBy: k.createdBy,
    updatedAt: k.updatedAt,
    source,
  });
  const notConfigured = (keyId: string): void => {
    if (keyId === auth.bootstrapKeyId)
      throw new ConflictError(`key '${keyId}' is the bootstrap key from the configuration; change it there`);
  };

  r.get('/', async (_req, res) => {
    const bootstrap = {
      keyId: auth.bootstrapKeyId,
      role: Role.ADMIN,
      taskTypes: [],
      description: 'bootstrap admin key',
      source: 'configuration',
    };
    res.json([bootstrap, ...(await store.listApiKeys()).map((k) => view(k))]);
  });
  r.post('/', async (req, res) => {
    const b = keyBody(req);
    const keyId = b.keyId ?? newKeyId();
    notConfigured(keyId);
    const secret = newKeySecret();
    const now = engine.clock.now();
    const key: ApiKeyRecord = {
      keyId,
      secretHash: hashSecret(secret),
      role: b.role,
      taskTypes: b.taskTypes ?? [],
      description: b.description ?? '',
      createdAt: now,
      createdBy: principalOf(req)?.keyId ?? 'unknown',
      updatedAt: now,
      secretVersion: newSecretVersion(),
    };
    if (!(await store.createApiKey(key))) throw new ConflictError(`key '${keyId}' exists`);
    engine.log.info({ keyId, role: key.role, by: key.createdBy }, 'API key created');
    res.status(201).json({ ...view(key), keySecret: secret });
  });
  r.get('/:keyId', async (req, res) => {
    res.json(view(await existing(req.params.keyId as string)));
  });
  r.put('/:keyId', async (req, res) => {
    const keyId = req.params.keyId as string;
    notConfigured(keyId);
    const b = keyBody(req);
    if (b.keyId !== undefined && b.keyId !== keyId)
      throw new ValidationError('keyId cannot change', [{ pointer: '/keyId', message: `must be '${keyId}' or absent` }]);
    const key = {
      ...(await existing(keyId)),
      role: b.role,
      taskTypes: b.taskTypes ?? [],
      description: b.description ?? '',
      updatedAt: engine.clock.now(),
    };
    if (!(await store.updateApiKey(key))) throw new NotFoundError(`key '${keyId}' not found`);
    auth.forget(keyId);
    engine.log.info({ keyId, role: key.role, by: principalOf(req)?.keyId }, 'API key changed');
    res.json(view(key));
  });
  r.post('/:keyId/rotate', async (req, res) => {
    const keyId = req.params.keyId as string;
    notConfigured(keyId);
    const secret = newKeySecret();
    const key = {
      ...(await existing(keyId)),
      secretHash: hashSecret(secret),
      secretVersion: newSecretVersion(),
      updatedAt: engine.clock.now(),
    };
    if (!(await store.updateApiKey(key))) throw new NotFoundError(`key '${keyId}' not found`);
    auth.forget(keyId);
    engine.log.info({ keyId, by: principalOf(req)?.keyId }, 'API key secret rotated');
    res.json({ ...view(key), keySecret: secret });
  });
  r.delete('/:keyId', async (req, res) => {
    const keyId = req.params.keyId as string;
    notConfigured(keyId);
    if (!(await store.deleteApiKey(keyId))) throw new NotFoundError(`key '${keyId}' not found`);
    auth.forget(keyId);
    engine.log.info({ keyId, by: principalOf(req)?.keyId }, 'API key deleted');
    res.status(200).end();
  });

  async function existing(keyId: string): Promise<ApiKeyRecord> {
    const k = await store.getApiKey(keyId);
    if (!k) throw new NotFoundError(`key '${keyId}' not found`);
    return k;
  }
  return r;
}

/** A worker key must name its task types; other roles have none (they are not limited by type). */
function keyBody(req: Request): KeyBody {
  const b = check(validateKeyBody, req.body ?? {}, 'API key');
  if (b.role === Role.WORKER && !b.taskTypes?.length) {
    throw new ValidationError('a worker key needs taskTypes', [
      { pointer: '/taskTypes', message: "is required for role worker (task type names, 'prefix*', or '*' for all)" },
    ]);
  }
  if (b.role !== Role.WORKER && b.taskTypes?.length) {
    throw new ValidationError(`taskTypes applies to worker keys only`, [
      { pointer: '/taskTypes', message: `must be absent for role ${b.role}` },
    ]);
  }
  return b;
}
