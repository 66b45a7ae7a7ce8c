import type { ExternalStorageLocation } from '@baton/protocol';
import { Router, type Request } from 'express';
import { Permission, coversTaskType, rolePermissions } from '../../auth/permissions';
import { Role } from '../../domain/roles';
import { NotFoundError, ValidationError } from '../../errors';
import { isSafePath } from '../../payloads/port';
import { taskOfPath, type ExternalPayloads } from '../../payloads/external';
import type { Engine } from '../../runtime/engine';
import { ForbiddenError } from '../../security-errors';
import { principalOf } from '../access/principal';
import { stringParam } from './params';

const operations = ['READ', 'WRITE'] as const;
const payloadTypes = ['WORKFLOW_INPUT', 'WORKFLOW_OUTPUT', 'TASK_INPUT', 'TASK_OUTPUT'] as const;

/**
 * Conductor's external storage locations (docs/payloads.md): GET /api/workflow/external-storage-location
 * and GET /api/tasks/external-storage-location (and their older spellings), query `path`,
 * `operation` (READ, WRITE), `payloadType`; the answer is an ExternalStorageLocation {uri, path}.
 * READ: a signed URI of a run's payload, for whoever may read that run (a worker: a task of its
 * types; a viewer: masked). WRITE: a fresh upload path for a task's output, for whoever may report.
 */
export function payloadLocationRoutes(engine: Engine, scope: 'workflow' | 'tasks'): Router {
  const r = Router();
  r.get(['/external-storage-location', '/externalstoragelocation'], async (req, res) => {
    const x = engine.external;
    if (!x)
      throw new NotFoundError(
        'external payload storage is off (BATON_EXTERNAL_PAYLOAD_THRESHOLD_BYTES=0): payloads are kept with their run',
      );
    const operation = oneOf(req, 'operation', operations);
    const payloadType = oneOf(req, 'payloadType', payloadTypes);
    const principal = principalOf(req);
    const may = (p: Permission): boolean => !principal || rolePermissions[principal.role].has(p);
    const now = engine.clock.now();
    if (operation === 'WRITE') {
      if (payloadType !== 'TASK_OUTPUT') {
        throw new ValidationError(
          `only task outputs can be uploaded (payloadType TASK_OUTPUT); send ${payloadType} inline, up to BATON_MAX_PAYLOAD_BYTES`,
          [{ pointer: '/query/payloadType', message: 'must be TASK_OUTPUT for WRITE' }],
        );
      }
      if (!may(Permission.TASK_REPORT))
        throw new ForbiddenError(`key '${principal?.keyId}' may not upload task outputs: it needs '${Permission.TASK_REPORT}'`);
      const path = x.newUploadPath();
      res.json(location(req, x, 'w', path, now, false));
      return;
    }
    const path = stringParam(req, 'path') ?? '';
    if (!isSafePath(path) || path.startsWith('uploads/')) {
      throw new ValidationError(
        `'${path.slice(0, 200)}' is not the path of a run's payload (externalInputPayloadStoragePath or externalOutputPayloadStoragePath)`,
        [{ pointer: '/query/path', message: 'is not a payload path' }],
      );
    }
    await mayRead(engine, req, path, scope);
    if ((await x.blobs.size(path)) === null) throw new NotFoundError(`no payload at '${path}'`);
    res.json(location(req, x, 'r', path, now, principal?.role === Role.VIEWER));
  });
  return r;
}

/** Reading a payload takes what reading its run takes; a worker may read the payloads of tasks of its types. */
async function mayRead(engine: Engine, req: Request, path: string, scope: 'workflow' | 'tasks'): Promise<void> {
  const principal = principalOf(req);
  if (!principal || rolePermissions[principal.role].has(Permission.WORKFLOW_READ)) return;
  const task = taskOfPath(path);
  if (scope === 'tasks' && task && rolePermissions[principal.role].has(Permission.TASK_POLL)) {
    const t = await engine.store.getTask(task.taskId);
    if (
      t &&
      t.workflowInstanceId === task.workflowId &&
      (principal.role !== Role.WORKER || coversTaskType(principal.taskTypes, t.taskType))
    )
      return;
  }
  throw new ForbiddenError(`key '${principal.keyId}' (role ${principal.role}) may not read the payload '${path.slice(0, 200)}'`);
}

function location(req: Request, x: ExternalPayloads, op: 'r' | 'w', path: string, now: number, mask: boolean): ExternalStorageLocation {
  const base = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  return { uri: `${base}/api/payloads/${path}?${x.signedQuery(op, path, now + x.options.urlTtlMs, mask)}`, path };
}

function oneOf<T extends string>(req: Request, name: string, allowed: readonly T[]): T {
  const v = stringParam(req, name);
  if (v === undefined || !(allowed as readonly string[]).includes(v)) {
    throw new ValidationError(`query parameter '${name}' must be one of ${allowed.join(', ')}`, [
      { pointer: `/query/${name}`, message: `must be one of ${allowed.join(', ')}` },
    ]);
  }
  return v as T;
}
