import { PublishEventRequest, type PublishEventRequest as PublishBody } from '@baton/protocol';
import { Router } from 'express';
import { ConflictError, NotFoundError } from '../../errors';
import type { Engine } from '../../runtime/engine';
import { eventHandlerOf } from '../../runtime/reactions/events/handlers';
import { check, compile } from '../validate';
import { bodyOf } from './metadata';
import { boolParam, intParam, stringParam } from './params';
import { maskFields } from './reactions-mask';

const validatePublish = compile<PublishBody>(PublishEventRequest);

/**
 * Events (docs/events.md): `POST /api/events` publishes (202 with the id; stored before the
 * answer, acted on after it), `GET /api/events?name=` lists recent ones with what they started
 * and resumed, `POST /api/events/{id}/replay` publishes a stored event again.
 */
export function eventRoutes(engine: Engine): Router {
  const r = Router();
  const bus = engine.reactions.events;

  r.post('/', async (req, res) => {
    const body = check(validatePublish, bodyOf(req), 'event');
    const out = await bus.publish({
      name: body.name,
      data: body.data ?? null,
      ...(body.id !== undefined ? { id: body.id } : {}),
      source: 'api',
    });
    res.status(202).json({ id: out.eventId, created: out.created });
  });

  r.get('/', async (req, res) => {
    const events = await bus.list(stringParam(req, 'name') ?? null, intParam(req, 'limit', 100, 1, 1000));
    res.json(events.map((e) => maskFields(req, e, ['data'])));
  });

  r.get('/:eventId', async (req, res) => {
    res.json(maskFields(req, await bus.get(req.params.eventId), ['data']));
  });

  r.post('/:eventId/replay', async (req, res) => {
    const out = await bus.replay(req.params.eventId);
    res.status(202).json({ id: out.eventId, replayOf: req.params.eventId });
  });

  return r;
}

/**
 * Conductor's event handlers (`/api/event`): list, add (409 when the name exists), update (404
 * when it does not), remove, and list those of one event (`activeOnly`, default true).
 */
export function eventHandlerRoutes(engine: Engine): Router {
  const r = Router();
  const { store } = engine;

  r.get('/', async (_req, res) => {
    res.json(await store.listEventHandlers(null));
  });

  r.post('/', async (req, res) => {
    const h = eventHandlerOf(bodyOf(req));
    if (!(await store.putEventHandler(h, 'create'))) {
      throw new ConflictError(`event handler '${h.name}' exists; update it with PUT /api/event`);
    }
    res.status(200).end();
  });

  r.put('/', async (req, res) => {
    const h = eventHandlerOf(bodyOf(req));
    if (!(await store.putEventHandler(h, 'update')))
      throw new NotFoundError(`event handler '${h.name}' not found; add it with POST /api/event`);
    res.status(200).end();
  });

  r.delete('/:name', async (req, res) => {
    if (!(await store.deleteEventHandler(req.params.name))) throw new NotFoundError(`event handler '${req.params.name}' not found`);
    res.status(200).end();
  });

  r.get('/:event', async (req, res) => {
    const activeOnly = boolParam(req, 'activeOnly', true);
    res.json((await store.listEventHandlers(req.params.event)).filter((h) => h.active || !activeOnly));
  });

  return r;
}
