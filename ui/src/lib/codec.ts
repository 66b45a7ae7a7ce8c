import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';

/**
 * Encoded payloads (docs/payloads.md, "Codecs"): the SDKs' codecs store some fields as envelopes,
 * `{"__baton_codec": "aes-256-gcm", "keyId": "...", "data": "<base64>"}`, that the engine cannot
 * read. The UI decodes them for display by calling the user's own codec endpoint (the SDK's
 * createCodecServer) from the browser: the keys stay with their owner, the engine never sees
 * them or the clear values. The endpoint's URL is a setting of this browser (localStorage).
 */
const ENDPOINT_KEY = 'baton.codecEndpoint';

export function isEncodedValue(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v.__baton_codec === 'string' && typeof v.data === 'string';
}

/** How many envelopes `value` holds (at any depth). */
export function countEncoded(value: unknown): number {
  if (isEncodedValue(value)) return 1;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countEncoded(v), 0);
  if (typeof value === 'object' && value !== null) return Object.values(value).reduce((n: number, v) => n + countEncoded(v), 0);
  return 0;
}

const listeners = new Set<() => void>();

export function codecEndpoint(): string | null {
  try {
    return localStorage.getItem(ENDPOINT_KEY);
  } catch {
    return null;
  }
}

/** Saves (or with null, forgets) the endpoint; the value must be an http(s) URL. */
export function setCodecEndpoint(url: string | null): void {
  try {
    if (url === null) localStorage.removeItem(ENDPOINT_KEY);
    else localStorage.setItem(ENDPOINT_KEY, url.replace(/\/+$/, ''));
  } catch {
    /* storage refused (private mode): nothing to keep */
  }
  for (const l of listeners) l();
}

/** The reason a URL cannot be a codec endpoint, or null when it can. */
export function endpointProblem(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? null : 'must start with http:// or https://';
  } catch {
    return 'is not a URL';
  }
}

export function useCodecEndpoint(): string | null {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, codecEndpoint);
}

/** POST {endpoint}/decode {payloads: [value]}: the value with every envelope decoded. */
export async function decodeThrough(endpoint: string, value: unknown, signal?: AbortSignal): Promise<unknown> {
  const res = await fetch(`${endpoint}/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ payloads: [value] }),
    ...(signal ? { signal } : {}),
  });
  const body = (await res.json().catch(() => null)) as { payloads?: unknown[]; detail?: string; title?: string } | null;
  if (!res.ok) throw new Error(`the codec endpoint answered ${res.status}${body?.detail ? `: ${body.detail}` : ''}`);
  if (!body || !Array.isArray(body.payloads) || body.payloads.length !== 1)
    throw new Error('the codec endpoint answered without {payloads: [...]}');
  return body.payloads[0];
}

export type Decoded =
  | { kind: 'plain' }
  | { kind: 'no-endpoint'; count: number }
  | { kind: 'decoding'; count: number }
  | { kind: 'decoded'; count: number; value: unknown; endpoint: string }
  | { kind: 'failed'; count: number; error: string; endpoint: string };

/** A payload as the user can see it: decoded through their endpoint when it holds envelopes and one is set. */
export function useDecoded(value: unknown): Decoded {
  const endpoint = useCodecEndpoint();
  const count = useMemo(() => countEncoded(value), [value]);
  // A live page re-reads the run every few seconds: decode again only when the payload changed.
  const key = useMemo(() => (count === 0 ? '' : JSON.stringify(value)), [value, count]);
  const [state, setState] = useState<Decoded>({ kind: 'plain' });
  useEffect(() => {
    if (count === 0) return setState({ kind: 'plain' });
    if (!endpoint) return setState({ kind: 'no-endpoint', count });
    const ac = new AbortController();
    setState({ kind: 'decoding', count });
    decodeThrough(endpoint, value, ac.signal).then(
      (decoded) => setState({ kind: 'decoded', count, value: decoded, endpoint }),
      (err: unknown) => {
        if (!ac.signal.aborted) setState({ kind: 'failed', count, endpoint, error: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => ac.abort();
    // `key` stands for `value`: the same payload read again is not decoded again.
  }, [key, endpoint, count]);
  return count === 0 ? { kind: 'plain' } : state;
}
