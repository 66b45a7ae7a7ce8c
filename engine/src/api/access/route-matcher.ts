import { match, type MatchFunction } from 'path-to-regexp';
import type { RouteRule } from './route-table';

export interface MatchedRoute {
  rule: RouteRule;
  params: Record<string, string>;
  /** `METHOD /template`: the label of the request metric. */
  label: string;
}

/** Label of requests that match no rule: one series for all of them, whatever their path. */
export const UNMATCHED_LABEL = 'unmatched';

/**
 * The route table compiled once. Matching follows Express's defaults (case-insensitive, an
 * optional trailing slash, percent-decoded parameters), so the rule found is the route Express runs.
 */
export class RouteMatcher {
  private readonly compiled: Array<{ rule: RouteRule; fn: MatchFunction<Record<string, string | string[]>> }>;

  constructor(rules: readonly RouteRule[]) {
    this.compiled = rules.map((rule) => ({ rule, fn: match(rule.path, { decode: safeDecode, sensitive: false, trailing: true }) }));
  }

  match(method: string, path: string): MatchedRoute | null {
    const m = method === 'HEAD' ? 'GET' : method;
    for (const { rule, fn } of this.compiled) {
      if (rule.method !== m) continue;
      const found = fn(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(found.params)) if (typeof v === 'string') params[k] = v;
      return { rule, params, label: `${rule.method} ${rule.path}` };
    }
    return null;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
