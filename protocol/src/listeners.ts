import { Type, type Static } from '@sinclair/typebox';
import { JsonObject, Millis, Nullable, enumOf } from './common';

const values = (...v: string[]): Record<string, string> => Object.fromEntries(v.map((x) => [x, x]));

/** Body of `PUT /api/listeners/webhooks/{name}` (docs/alerts.md). */
export const WebhookRequest = Type.Object(
  {
    name: Type.Optional(Type.String({ description: 'must match the path when given' })),
    url: Type.String({
      minLength: 1,
      maxLength: 2000,
      description: 'http or https; checked against the destination policy (BATON_WEBHOOK_ALLOW)',
    }),
    secret: Type.Optional(
      Type.String({
        minLength: 16,
        maxLength: 512,
        description: 'the HMAC-SHA256 key of X-Baton-Signature; required for a new webhook, kept when omitted',
      }),
    ),
    global: Type.Optional(
      Type.Boolean({ description: 'receives the changes of every run and task whose listener is enabled (default false)' }),
    ),
    active: Type.Optional(
      Type.Boolean({ description: 'false pauses deliveries; they wait and go when it is active again (default true)' }),
    ),
  },
  { additionalProperties: false },
);
export type WebhookRequest = Static<typeof WebhookRequest>;

/** A webhook as the API shows it: never its secret. */
export const WebhookView = Type.Object({
  name: Type.String(),
  url: Type.String(),
  global: Type.Boolean(),
  active: Type.Boolean(),
  secretSet: Type.Boolean(),
  changedBy: Type.Optional(Type.String()),
  updateTime: Type.Optional(Millis()),
});

/** One status change for one target, as the listener outbox holds it. */
export const ListenerDelivery = Type.Object({
  deliveryId: Type.String({ description: 'X-Baton-Delivery: the same on every retry of this change to this target' }),
  workflowId: Type.String(),
  seq: Type.Integer({ description: 'order of the change within its run' }),
  target: Type.String({ description: '`events` or `webhook:<name>`' }),
  event: Type.String({ description: 'baton:workflow:<STATUS> or baton:task:<STATUS>' }),
  body: Type.String({ description: 'the JSON body as sent and signed' }),
  createdAt: Millis(),
  status: enumOf(values('PENDING', 'DELIVERED', 'DEAD')),
  attempts: Type.Integer(),
  nextAt: Millis(),
  leaseUntil: Millis(),
  lastError: Nullable(Type.String()),
  deliveredAt: Millis(),
});

export const AlertRuleName = enumOf(values('poisonTask', 'queueDepth', 'runFailed'));

/** Body of `PUT /api/alerts/rules/{rule}`: the fields to change. */
export const AlertRuleRequest = Type.Object(
  {
    rule: Type.Optional(AlertRuleName),
    enabled: Type.Optional(Type.Boolean()),
    threshold: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'queueDepth: the depth above which a queue counts as backed up' }),
    ),
    forMinutes: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 525_600,
        description:
          'queueDepth: how long above the threshold before it fires; poisonTask, runFailed: how long an alert stays active after its last occurrence',
      }),
    ),
  },
  { additionalProperties: false },
);
export type AlertRuleRequest = Static<typeof AlertRuleRequest>;

export const AlertRuleConfig = Type.Object({
  rule: AlertRuleName,
  enabled: Type.Boolean(),
  threshold: Type.Integer(),
  forMinutes: Type.Integer(),
});

export const Alert = Type.Object({
  rule: AlertRuleName,
  key: Type.String({ description: 'a task type (poisonTask, queueDepth) or a workflow name (runFailed)' }),
  message: Type.String(),
  firedAt: Millis(),
  lastSeenAt: Millis(),
  resolvedAt: Millis('0 while active'),
  occurrences: Type.Integer(),
  detail: JsonObject,
});

export const AlertsView = Type.Object({
  active: Type.Array(Alert),
  recent: Type.Array(Alert, { description: 'resolved alerts, newest first (at most 200)' }),
  rules: Type.Array(AlertRuleConfig),
});

export const ListenerConfigChange = Type.Object({
  kind: enumOf(values('webhook', 'alertRule')),
  name: Type.String(),
  changedBy: Type.String(),
  changedAt: Millis(),
  before: Nullable(JsonObject),
  after: Nullable(JsonObject),
});
