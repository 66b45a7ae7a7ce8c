import { Router } from 'express';
import type { Engine } from '../../runtime/engine';
import { bodyOf } from './metadata';
import { intParam, stringParam } from './params';
import { isViewer, maskFields } from './reactions-mask';
import { MASK } from '../../auth/mask';

/**
 * What one running workflow answers besides its record (docs/events.md, docs/flow-control.md):
 * signals into its inbox, its queries, and where it stands with flow control. Mounted before the
 * generic workflow routes.
 */
export function workflowReactionRoutes(engine: Engine): Router {
  const r = Router();
  const { signals, queries, admission } = engine.reactions;

  // Stores the signal durably in the workflow's inbox (202), then hands it to a step waiting for it.
  r.post('/:workflowId/signal/:signalName', async (req, res) => {
    const payload = req.body === undefined ? null : bodyOf(req);
    const s = await signals.send(req.params.workflowId, req.params.signalName, payload, stringParam(req, 'signalId'));
    res.status(202).json({ signalId: s.signalId, workflowId: s.workflowId, name: s.name, seq: s.seq, receivedAt: s.receivedAt });
  });

  r.get('/:workflowId/signals', async (req, res) => {
    await engine.getWorkflow(req.params.workflowId);
    const list = await engine.store.listSignals(req.params.workflowId, intParam(req, 'limit', 1000, 1, 10_000));
    res.json(list.map((s) => maskFields(req, { ...s }, ['payload'])));
  });

  // Reads only: the query's jq expression over the run's state, on the engine's jq threads.
  r.get('/:workflowId/query/:name', async (req, res) => {
    const value = await queries.run(req.params.workflowId, req.params.name);
    res.json(isViewer(req) ? MASK : value);
  });

  r.get('/:workflowId/flow', async (req, res) => {
    res.json(await admission.status(req.params.workflowId));
  });

  return r;
}
