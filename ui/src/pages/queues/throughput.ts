import { useQueries } from '@tanstack/react-query';
import { request } from '../../api/client';
import type { SearchResult, TaskSummary } from '../../api/types';
import { quoteValue } from '../../lib/search-query';

export const WINDOW_MIN = 15;
const FAILED = new Set(['FAILED', 'FAILED_WITH_TERMINAL_ERROR', 'TIMED_OUT']);

export interface Throughput {
  /** Per minute, oldest first: attempts that ended COMPLETED, and that ended failing. */
  completed: number[];
  failed: number[];
  /** Attempts that ended in the window (exact, from the search's total). */
  total: number;
  /** The buckets hold only the newest 1,000 (the search's page limit): older minutes undercount. */
  sampled: boolean;
  /** The minute the first bucket starts (epoch ms). */
  since: number;
}

/**
 * Attempts of each type that ended in the last 15 minutes, per minute, from the task search
 * (one request per type: `taskType = X AND endTime >= now-15min`, newest first). The engine keeps
 * no time series; this reads the attempts themselves, so it is exact up to 1,000 per window.
 */
export function useThroughput(taskTypes: readonly string[]): Map<string, Throughput> {
  const since = Math.floor(Date.now() / 60_000) * 60_000 - (WINDOW_MIN - 1) * 60_000;
  const results = useQueries({
    queries: taskTypes.map((type) => ({
      queryKey: ['throughput', type, since],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        request<SearchResult<TaskSummary>>('/api/tasks/search', {
          query: { query: `taskType = ${quoteValue(type)} AND endTime >= ${since}`, sort: 'endTime:DESC', size: 1000 },
          signal,
        }),
      refetchInterval: 15_000,
      placeholderData: (prev: SearchResult<TaskSummary> | undefined) => prev,
    })),
  });
  const out = new Map<string, Throughput>();
  taskTypes.forEach((type, i) => {
    const data = results[i]?.data;
    if (!data) return;
    const completed = new Array<number>(WINDOW_MIN).fill(0);
    const failed = new Array<number>(WINDOW_MIN).fill(0);
    for (const t of data.results) {
      const end = t.endTime ? Date.parse(t.endTime) : NaN;
      const bucket = Math.floor((end - since) / 60_000);
      if (!(bucket >= 0 && bucket < WINDOW_MIN)) continue;
      if (t.status === 'COMPLETED' || t.status === 'COMPLETED_WITH_ERRORS') completed[bucket] = (completed[bucket] ?? 0) + 1;
      else if (FAILED.has(t.status)) failed[bucket] = (failed[bucket] ?? 0) + 1;
    }
    out.set(type, { completed, failed, total: data.totalHits, sampled: data.totalHits > data.results.length, since });
  });
  return out;
}
