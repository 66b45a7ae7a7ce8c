import type { JsonObject } from './records';

/** Where a status change goes: Baton's event bus, or a webhook registered by name (docs/alerts.md). */
export type ListenerTarget = 'events' | `webhook:${string}`;

export const DeliveryStatus = {
  PENDING: 'PENDING',
  DELIVERED: 'DELIVERED',
  /** Given up after BATON_WEBHOOK_MAX_ATTEMPTS, or its webhook was removed: kept for operators to see. */
  DEAD: 'DEAD',
} as const;
export type DeliveryStatus = (typeof DeliveryStatus)[keyof typeof DeliveryStatus];

/**
 * One status change for one target: a row of the listener outbox, written in the same commit as
 * the change (Store.commitDecision), then delivered in `seq` order per (workflow, target).
 * `deliveryId` is deterministic (workflow, seq, target), so a delivery repeated after a crash
 * carries the same id and receivers can drop the repeat.
 */
export interface ListenerDelivery {
  deliveryId: string;
  workflowId: string;
  /** The order of the change within its run: the workflow revision it committed in, then its place in that commit. */
  seq: number;
  target: ListenerTarget;
  /** The event name: baton:workflow:<STATUS> or baton:task:<STATUS>. */
  event: string;
  /** The JSON body, exactly as sent and signed. */
  body: string;
  createdAt: number;
  status: DeliveryStatus;
  attempts: number;
  nextAt: number;
  leaseUntil: number;
  lastError: string | null;
  deliveredAt: number;
}

/** A webhook registered over REST. The secret is never shown back. */
export interface WebhookRecord {
  name: string;
  url: string;
  secret: string;
  /** Receives the changes of every run and task whose listener is enabled, not only those naming it. */
  global: boolean;
  active: boolean;
}

export const AlertRule = {
  POISON_TASK: 'poisonTask',
  QUEUE_DEPTH: 'queueDepth',
  RUN_FAILED: 'runFailed',
} as const;
export type AlertRule = (typeof AlertRule)[keyof typeof AlertRule];

export interface AlertRuleConfig {
  rule: AlertRule;
  enabled: boolean;
  /** queueDepth: the depth above which a queue counts as backed up. */
  threshold: number;
  /** queueDepth: how long it must stay above the threshold; poisonTask and runFailed: how long an alert stays active after its last occurrence. */
  forMinutes: number;
}

export interface Alert {
  rule: AlertRule;
  /** What it is about: a task type (poisonTask, queueDepth) or a workflow name (runFailed). */
  key: string;
  message: string;
  firedAt: number;
  lastSeenAt: number;
  /** 0 while active. */
  resolvedAt: number;
  occurrences: number;
  /** The latest example: a workflow id, a task id, a depth. */
  detail: JsonObject;
}

/** A stored listener setting (a webhook, an alert rule) with who changed it last. */
export interface ListenerConfigRecord {
  kind: 'webhook' | 'alertRule';
  name: string;
  doc: JsonObject;
  changedBy: string;
  updateTime: number;
}

/** An entry of the audit trail of listener settings. */
export interface ListenerConfigChange {
  kind: 'webhook' | 'alertRule';
  name: string;
  changedBy: string;
  changedAt: number;
  before: JsonObject | null;
  after: JsonObject | null;
}
