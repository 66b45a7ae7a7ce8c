import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface Received {
  deliveryId: string;
  event: string;
  timestamp: number;
  signatureOk: boolean;
  body: {
    deliveryId: string;
    event: string;
    seq: number;
    workflow: { workflowId: string; status: string };
    task?: { referenceTaskName: string; status: string };
  };
  /** What the receiver answered; 0: nothing (held open, see `holdAt`). */
  status: number;
}

/**
 * A real HTTP receiver for webhook tests: checks each request's signature the way docs/alerts.md
 * tells users to, and answers 500 to every other request (deterministically: the 1st, 3rd, 5th...
 * fail), so every delivery needs retries. `hold` makes the receiver keep the nth request open
 * without answering (a crash test kills the engine while it waits).
 */
export class WebhookReceiver {
  readonly requests: Received[] = [];
  private server: Server | null = null;
  private count = 0;
  private held: ServerResponse[] = [];
  holdAt = 0;
  onHold: (() => void) | null = null;
  failEveryOther = true;
  /** Answer 500 to everything (a receiver that is down). */
  alwaysFail = false;

  constructor(private readonly secret: string) {}

  async start(): Promise<number> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.held = [];
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  /** Requests answered 2xx, first occurrence of each delivery id only (a receiver's dedup). */
  accepted(): Received[] {
    const seen = new Set<string>();
    return this.requests.filter((r) => r.status >= 200 && r.status < 300 && !seen.has(r.deliveryId) && seen.add(r.deliveryId));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const n = ++this.count;
    const timestamp = Number(req.headers['x-baton-timestamp']);
    const given = String(req.headers['x-baton-signature'] ?? '');
    const expected = `sha256=${createHmac('sha256', this.secret).update(`${timestamp}.${raw}`).digest('hex')}`;
    const signatureOk = given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
    const held = this.holdAt === n;
    const status = held ? 0 : this.alwaysFail || (this.failEveryOther && n % 2 === 1) ? 500 : 200;
    this.requests.push({
      deliveryId: String(req.headers['x-baton-delivery'] ?? ''),
      event: String(req.headers['x-baton-event'] ?? ''),
      timestamp,
      signatureOk,
      body: JSON.parse(raw) as Received['body'],
      status,
    });
    if (held) {
      this.held.push(res);
      this.onHold?.();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  }
}
