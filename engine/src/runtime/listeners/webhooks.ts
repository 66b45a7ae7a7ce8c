import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import type { WebhookRecord } from '../../domain/listeners';
import type { JsonObject } from '../../domain/records';
import { NotFoundError, ValidationError } from '../../errors';
import type { Store } from '../../store/port';
import type { DestinationPolicy } from '../system-tasks/http/destination-policy';

export const WEBHOOK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const MIN_SECRET = 16;

/**
 * The signature a receiver checks (docs/alerts.md): HMAC-SHA256, keyed with the webhook's secret,
 * over `<timestamp>.<body>`, hex. The timestamp (X-Baton-Timestamp, Unix seconds) is inside the
 * signed text so that a captured request cannot be replayed later with a fresh timestamp.
 */
export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A webhook as REST shows it: the secret never leaves the engine. */
export function webhookView(w: WebhookRecord, meta?: { changedBy: string; updateTime: number }): JsonObject {
  return { name: w.name, url: w.url, global: w.global, active: w.active, secretSet: w.secret.length > 0, ...(meta ?? {}) };
}

/**
 * The webhooks operators register (PUT /api/listeners/webhooks/{name}), cached for the commit path
 * (which needs the global ones synchronously) and refreshed from the store every `refreshMs`, so
 * every engine on a shared store picks up a change.
 */
export class WebhookRegistry {
  private byName = new Map<string, WebhookRecord>();
  private loadedAt = -Infinity;

  constructor(
    private readonly store: Store,
    private readonly refreshMs: number,
  ) {}

  /** Names of the active global webhooks (synchronous: read on every commit with listeners). */
  get globalNames(): string[] {
    return [...this.byName.values()].filter((w) => w.global && w.active).map((w) => w.name);
  }

  get(name: string): WebhookRecord | undefined {
    return this.byName.get(name);
  }

  async fresh(now: number): Promise<void> {
    if (now - this.loadedAt < this.refreshMs) return;
    await this.reload(now);
  }

  async reload(now: number): Promise<void> {
    const rows = await this.store.listListenerConfig('webhook');
    this.byName = new Map(rows.map((r) => [r.name, r.doc as unknown as WebhookRecord]));
    this.loadedAt = now;
  }

  async list(): Promise<JsonObject[]> {
    const rows = await this.store.listListenerConfig('webhook');
    return rows.map((r) => webhookView(r.doc as unknown as WebhookRecord, { changedBy: r.changedBy, updateTime: r.updateTime }));
  }

  /**
   * Validates and stores a webhook. A literal address the destination policy refuses is refused
   * here, with the policy's reason; names are checked when they resolve, at each delivery.
   */
  async put(name: string, body: JsonObject, changedBy: string, now: number, policy: DestinationPolicy | null): Promise<JsonObject> {
    if (!WEBHOOK_NAME.test(name))
      throw new ValidationError('webhook name must be 1-100 letters, digits, dots, dashes or underscores', [
        { pointer: '/name', message: 'invalid name' },
      ]);
    const problems: Array<{ pointer: string; message: string }> = [];
    const existing = (await this.store.listListenerConfig('webhook')).find((r) => r.name === name)?.doc as unknown as
      WebhookRecord | undefined;
    const url = body.url;
    let parsed: URL | null = null;
    if (typeof url !== 'string' || url.length > 2000)
      problems.push({ pointer: '/url', message: 'must be an http or https URL of at most 2000 characters' });
    else {
      try {
        parsed = new URL(url);
        if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
          problems.push({ pointer: '/url', message: 'must be an http or https URL' });
        if (parsed.username || parsed.password)
          problems.push({ pointer: '/url', message: 'must not carry credentials (the signature authenticates the engine)' });
      } catch {
        problems.push({ pointer: '/url', message: 'is not a valid URL' });
      }
    }
    const secret = body.secret ?? existing?.secret;
    if (typeof secret !== 'string' || secret.length < MIN_SECRET || secret.length > 512) {
      problems.push({
        pointer: '/secret',
        message: `must be a string of ${MIN_SECRET} to 512 characters (required when the webhook is new)`,
      });
    }
    for (const flag of ['global', 'active'] as const) {
      if (body[flag] !== undefined && typeof body[flag] !== 'boolean')
        problems.push({ pointer: `/${flag}`, message: 'must be true or false' });
    }
    const known = new Set(['name', 'url', 'secret', 'global', 'active']);
    for (const k of Object.keys(body))
      if (!known.has(k)) problems.push({ pointer: `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: 'is not a webhook field' });
    if (body.name !== undefined && body.name !== name)
      problems.push({ pointer: '/name', message: `must match the name in the path ('${name}')` });
    if (problems.length) throw new ValidationError(`webhook '${name}' is invalid`, problems);
    const u = parsed as URL;
    const host = u.hostname.replace(/^\[|\]$/g, '');
    if (policy && isIP(host)) {
      const refused = policy.refusal(host, Number(u.port) || (u.protocol === 'https:' ? 443 : 80), u.hostname);
      if (refused)
        throw new ValidationError(`webhook url refused: ${refused} (BATON_WEBHOOK_ALLOW opens a destination)`, [
          { pointer: '/url', message: refused },
        ]);
    }
    const record: WebhookRecord = {
      name,
      url: u.toString(),
      secret: secret as string,
      global: typeof body.global === 'boolean' ? body.global : (existing?.global ?? false),
      active: typeof body.active === 'boolean' ? body.active : (existing?.active ?? true),
    };
    await this.store.putListenerConfig({ kind: 'webhook', name, doc: record as unknown as JsonObject, changedBy, updateTime: now });
    await this.reload(now);
    return webhookView(record, { changedBy, updateTime: now });
  }

  async delete(name: string, changedBy: string, now: number): Promise<void> {
    if (!(await this.store.deleteListenerConfig('webhook', name, changedBy, now))) throw new NotFoundError(`webhook '${name}' not found`);
    await this.reload(now);
  }
}
