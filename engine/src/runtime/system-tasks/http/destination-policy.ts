import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** One allow-list entry (BATON_HTTP_TASK_ALLOW): a range or a host name, optionally one port. */
type AllowRule =
  | { kind: 'range'; range: [Address, number]; port: number | null; text: string }
  | { kind: 'host'; host: string; wildcard: boolean; port: number | null; text: string };

export class AllowListError extends Error {}

/**
 * Where HTTP tasks may connect (docs/security.md). Only global unicast addresses, by default:
 * loopback, private (RFC 1918, unique local fc00::/7), link-local (169.254.0.0/16 and its cloud
 * metadata endpoints, fe80::/10), carrier-grade NAT, multicast, unspecified, reserved and
 * documentation ranges, and IPv6 forms that embed an IPv4 address (6to4, NAT64, Teredo) are
 * refused, and so is every address of the engine's own host. IPv4-mapped IPv6 addresses are judged
 * as the IPv4 address they carry. Decimal, octal and hex spellings of IPv4 (http://2130706433/)
 * reach this check already normalised by the URL parser, and names are judged by the addresses
 * they resolve to, at connection time (http-call.ts pins the connection to the checked address).
 *
 * The allow-list opens ranges or names a deployment needs ("10.1.0.0/16", "127.0.0.1:8081",
 * "billing.internal", "*.corp.example:443"). Nothing opens the engine's own API port on its own
 * host: a workflow must not be able to drive the engine that runs it.
 */
export class DestinationPolicy {
  private localAddresses: Set<string> | null = null;

  constructor(
    private readonly rules: readonly AllowRule[],
    /** The engine's own HTTP port, once it listens. */
    private readonly ownPort: () => number | null,
  ) {}

  static fromConfig(entries: readonly string[], ownPort: () => number | null): DestinationPolicy {
    return new DestinationPolicy(entries.map(parseAllowEntry), ownPort);
  }

  /** Null when `address` (what `hostname` resolved to, or the literal) may be reached on `port`, else why not. */
  refusal(address: string, port: number, hostname: string): string | null {
    let parsed: Address;
    try {
      parsed = ipaddr.process(address);
    } catch {
      return `'${address}' is not an IP address`;
    }
    const normal = parsed.toNormalizedString();
    const local = this.isLocal(parsed);
    if ((local || isWildcardOrLoopback(parsed)) && port === this.ownPort()) return `${normal}:${port} is the engine's own API`;
    if (this.allowed(parsed, port, hostname)) return null;
    const range = parsed.range();
    if (range !== 'unicast') return `${normal} is a ${describe(range)} address`;
    if (local) return `${normal} is an address of the engine's own host`;
    return null;
  }

  private allowed(address: Address, port: number, hostname: string): boolean {
    const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
    return this.rules.some((r) => {
      if (r.port !== null && r.port !== port) return false;
      if (r.kind === 'host') return r.wildcard ? host.endsWith(`.${r.host}`) : host === r.host;
      return address.kind() === r.range[0].kind() && address.match(r.range);
    });
  }

  private isLocal(address: Address): boolean {
    this.localAddresses ??= new Set(
      Object.values(networkInterfaces())
        .flat()
        .flatMap((i) => (i ? [ipaddr.process(i.address).toNormalizedString()] : [])),
    );
    return this.localAddresses.has(address.toNormalizedString());
  }
}

function isWildcardOrLoopback(a: Address): boolean {
  const r = a.range();
  return r === 'loopback' || r === 'unspecified';
}

const rangeNames: Record<string, string> = {
  loopback: 'loopback',
  private: 'private (RFC 1918)',
  uniqueLocal: 'private (unique local)',
  linkLocal: 'link-local',
  carrierGradeNat: 'carrier-grade NAT',
  unspecified: 'unspecified',
};

function describe(range: string): string {
  return rangeNames[range] ?? `${range} (not global unicast)`;
}

/**
 * "10.0.0.0/8", "127.0.0.1:8081", "[::1]:8080", "fd00::/8", "api.internal", "*.corp.example:443".
 * A bare IPv6 address or range takes no port (write "[addr]:port" for one).
 */
export function parseAllowEntry(text: string): AllowRule {
  const entry = text.trim();
  let target = entry;
  let port: number | null = null;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) {
    target = bracketed[1] ?? '';
    port = bracketed[2] !== undefined ? portOf(bracketed[2], entry) : null;
  } else if ((entry.match(/:/g) ?? []).length === 1) {
    const at = entry.lastIndexOf(':');
    target = entry.slice(0, at);
    port = portOf(entry.slice(at + 1), entry);
  }
  if (target.includes('/')) {
    try {
      return { kind: 'range', range: ipaddr.parseCIDR(target), port, text: entry };
    } catch {
      throw new AllowListError(`'${entry}' is not a valid CIDR range`);
    }
  }
  if (ipaddr.isValid(target) && /^[\d.]+$|:/.test(target)) {
    const a = ipaddr.process(target);
    return { kind: 'range', range: [a, a.kind() === 'ipv4' ? 32 : 128], port, text: entry };
  }
  const host = target.toLowerCase();
  const wildcard = host.startsWith('*.');
  const name = wildcard ? host.slice(2) : host;
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(name)) {
    throw new AllowListError(`'${entry}' is neither a CIDR range, an IP address nor a host name (optionally '*.' and ':port')`);
  }
  return { kind: 'host', host: name, wildcard, port, text: entry };
}

function portOf(text: string, entry: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw new AllowListError(`'${entry}' has an invalid port`);
  return n;
}
