import { AlertRuleRequest, WebhookRequest } from '@baton/protocol';
import { Router, type Request } from 'express';
import { DeliveryStatus } from '../../domain/listeners';
import type { JsonObject } from '../../domain/records';
import { ValidationError } from '../../errors';
import type { Engine } from '../../runtime/engine';
import { alertRules } from '../../runtime/listeners/alerts';
import type { DestinationPolicy } from '../../runtime/system-tasks/http/destination-policy';
import { principalOf } from '../access/principal';
import { check, compile } from '../validate';
import { bodyOf } from './metadata';
import { intParam, stringParam } from './params';

const validateWebhook = compile<JsonObject>(WebhookRequest);
const validateRule = compile<JsonObject>(AlertRuleRequest);

/** Who changed a setting, for the audit trail (as the scheduler records it). */
function userOf(req: Request): string {
  const p = principalOf(req);
  if (p) return p.keyId;
  const claimed = req.headers['x-baton-user'];
  return typeof claimed === 'string' && claimed ? claimed.slice(0, 200) : `anonymous@${req.ip ?? 'unknown'}`;
}

/**
 * Webhooks and deliveries of the status listeners (`/api/listeners`, docs/alerts.md): register,
 * list (secrets never shown), remove webhooks; list outbox deliveries.
 */
export function listenerRoutes(engine: Engine): Router {
  const r = Router();
  const { listeners } = engine;

  r.get('/webhooks', async (_req, res) => {
    res.json(await listeners.webhooks.list());
  });

  r.put('/webhooks/:name', async (req, res) => {
    const body = check(validateWebhook, bodyOf(req), 'webhook');
    const policy: DestinationPolicy | null = listeners.options.policy;
    res.json(await listeners.webhooks.put(req.params.name as string, body, userOf(req), engine.clock.now(), policy));
  });

  r.delete('/webhooks/:name', async (req, res) => {
    await listeners.webhooks.delete(req.params.name as string, userOf(req), engine.clock.now());
    res.status(204).end();
  });

  r.get('/changes', async (req, res) => {
    // The audit trail keeps whole records; secrets are not shown (only whether one was set).
    const changes = await engine.store.listenerConfigChanges('webhook', intParam(req, 'limit', 100, 1, 1000));
    const mask = (doc: JsonObject | null): JsonObject | null => {
      if (!doc) return null;
      const { secret, ...rest } = doc;
      return { ...rest, secretSet: typeof secret === 'string' && secret.length > 0 };
    };
    res.json(changes.map((c) => ({ ...c, before: mask(c.before), after: mask(c.after) })));
  });

  r.get('/deliveries', async (req, res) => {
    const status = stringParam(req, 'status');
    if (status !== undefined && !(Object.values(DeliveryStatus) as string[]).includes(status)) {
      throw new ValidationError(`status must be one of ${Object.values(DeliveryStatus).join(', ')}`, [
        { pointer: '/status', message: 'unknown delivery status' },
      ]);
    }
    const workflowId = stringParam(req, 'workflowId');
    res.json(
      await engine.store.listDeliveries({
        ...(status ? { status: status as DeliveryStatus } : {}),
        ...(workflowId ? { workflowId } : {}),
        limit: intParam(req, 'limit', 100, 1, 1000),
      }),
    );
  });
  return r;
}

/** Alerts and their rules (`/api/alerts`, docs/alerts.md). */
export function alertRoutes(engine: Engine): Router {
  const r = Router();
  const { alerts } = engine.listeners;

  r.get('/', (_req, res) => {
    res.json({ ...alerts.list(), rules: alertRules.map((x) => alerts.rule(x)) });
  });

  r.get('/rules', (_req, res) => {
    res.json(alertRules.map((x) => alerts.rule(x)));
  });

  r.get('/rules/changes', async (req, res) => {
    res.json(await engine.store.listenerConfigChanges('alertRule', intParam(req, 'limit', 100, 1, 1000)));
  });

  r.put('/rules/:rule', async (req, res) => {
    const body = check(validateRule, bodyOf(req), 'alert rule');
    res.json(await alerts.setRule(req.params.rule as string, body, userOf(req)));
  });
  return r;
}
