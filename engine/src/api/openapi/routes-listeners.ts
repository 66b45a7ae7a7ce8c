import { ref } from './components';
import { arr, path, q } from './params';
import type { RouteDoc } from './routes';

const limit = q('limit', 'integer', 'at most 1000', 100);

/** The routes of status listeners and alerts (docs/alerts.md), documented like routes.ts's and appended to them. */
export const listenerRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/listeners/webhooks',
    tag: 'listeners',
    summary: 'Registered webhooks (never their secrets)',
    conductor: false,
    ok: { '200': ['webhooks, by name', arr(ref('WebhookView'))] },
  },
  {
    method: 'put',
    path: '/api/listeners/webhooks/{name}',
    tag: 'listeners',
    summary: 'Register or change a webhook: where status changes are POSTed, signed with its secret',
    conductor: false,
    params: [path('name', '1-100 letters, digits, dots, dashes or underscores')],
    body: {
      schema: ref('WebhookRequest'),
      yaml: true,
      example: { url: 'https://hooks.example.com/baton', secret: 'a-long-random-secret-value', global: false },
    },
    ok: { '200': ['the webhook as stored (without its secret)', ref('WebhookView')] },
  },
  {
    method: 'delete',
    path: '/api/listeners/webhooks/{name}',
    tag: 'listeners',
    summary: 'Remove a webhook; its pending deliveries are given up',
    conductor: false,
    params: [path('name')],
    ok: { '204': ['removed'] },
  },
  {
    method: 'get',
    path: '/api/listeners/changes',
    tag: 'listeners',
    summary: 'Audit trail of webhook changes, newest first (secrets are not shown)',
    conductor: false,
    params: [limit],
    ok: { '200': ['changes', arr(ref('ListenerConfigChange'))] },
  },
  {
    method: 'get',
    path: '/api/listeners/deliveries',
    tag: 'listeners',
    summary: 'Outbox deliveries, newest first: pending, delivered and given up',
    conductor: false,
    params: [q('status', 'string', 'PENDING, DELIVERED or DEAD'), q('workflowId', 'string', 'of one run'), limit],
    ok: { '200': ['deliveries', arr(ref('ListenerDelivery'))] },
  },
  {
    method: 'get',
    path: '/api/alerts',
    tag: 'listeners',
    summary: 'Active and recently resolved alerts of the built-in rules, and the rules',
    conductor: false,
    ok: { '200': ['alerts', ref('AlertsView')] },
  },
  {
    method: 'get',
    path: '/api/alerts/rules',
    tag: 'listeners',
    summary: 'The built-in alert rules as configured',
    conductor: false,
    ok: { '200': ['rules', arr(ref('AlertRuleConfig'))] },
  },
  {
    method: 'get',
    path: '/api/alerts/rules/changes',
    tag: 'listeners',
    summary: 'Audit trail of alert rule changes, newest first',
    conductor: false,
    params: [limit],
    ok: { '200': ['changes', arr(ref('ListenerConfigChange'))] },
  },
  {
    method: 'put',
    path: '/api/alerts/rules/{rule}',
    tag: 'listeners',
    summary: 'Change an alert rule at runtime (poisonTask, queueDepth, runFailed); fields left out keep their value',
    conductor: false,
    params: [path('rule', 'poisonTask, queueDepth or runFailed')],
    body: { schema: ref('AlertRuleRequest'), yaml: true, example: { enabled: true, threshold: 500, forMinutes: 10 } },
    ok: { '200': ['the rule as it now is', ref('AlertRuleConfig')] },
  },
];
