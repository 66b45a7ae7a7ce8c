import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useAbilities } from '../../api/auth';
import { useWorkflowDefs, useWorkflowSearch } from '../../api/queries';
import { Duration, Time } from '../../components/Time';
import { Empty, ErrorState, Loading } from '../../components/States';
import { LiveToggle } from '../../components/LiveToggle';
import { PageHeader } from '../../components/PageHeader';
import { StatusBadge } from '../../components/Status';
import { buildQuery, filtersFromParams, paramsFromFilters, QueryValueError, type ExecutionFilters } from '../../lib/search-query';
import { toMs } from '../../lib/time';
import { BulkBar } from './BulkBar';
import { Filters, rangeFrom } from './Filters';

const PAGE_SIZES = [25, 50, 100] as const;
const SORTABLE = { startTime: 'Started', endTime: 'Ended', workflowType: 'Workflow', status: 'Status' } as const;
type SortField = keyof typeof SORTABLE;

/**
 * /executions: every run, found with the search API and Conductor's query language. Filters live
 * in the URL (a view can be linked); results refresh every 5 s while "Live" is on.
 */
export default function ExecutionsPage() {
  const [params, setParams] = useSearchParams();
  const filters = filtersFromParams(params);
  const range = params.get('range') ?? '';
  const size = Number(params.get('size')) || 25;
  const start = Math.max(0, Number(params.get('start')) || 0);
  const sort = params.get('sort') ?? 'startTime:DESC';
  const [live, setLive] = useState(true);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const abilities = useAbilities();
  const defs = useWorkflowDefs();

  // A relative range ("last hour") slides: its start is recomputed, in 10 s steps so the query key stays put in between.
  const now = Math.floor(Date.now() / 10_000) * 10_000;
  const slidFrom = rangeFrom(range, now);
  const effective: ExecutionFilters = slidFrom === undefined ? filters : { ...filters, from: slidFrom };
  let query = '';
  let queryError: string | null = null;
  try {
    query = buildQuery(effective);
  } catch (e) {
    if (!(e instanceof QueryValueError)) throw e;
    queryError = e.message;
  }
  const search = useWorkflowSearch({ query, freeText: filters.freeText, sort, start, size }, live && !queryError);

  const update = (next: ExecutionFilters, extra: Record<string, string> = {}) => {
    const keep: Record<string, string> = { size: String(size), sort, ...(range ? { range } : {}), ...extra };
    for (const [k, v] of Object.entries(keep)) if (v === '') delete keep[k];
    setParams(paramsFromFilters(next, keep));
    setSelected(new Set());
  };
  const setPage = (s: number) => {
    const p = new URLSearchParams(params);
    p.set('start', String(s));
    setParams(p);
  };
  const setSort = (field: SortField) => {
    const [cur, dir] = sort.split(':');
    const p = new URLSearchParams(params);
    p.set('sort', `${field}:${cur === field && dir === 'DESC' ? 'ASC' : 'DESC'}`);
    p.delete('start');
    setParams(p);
  };

  const names = useMemo(() => [...new Set((defs.data ?? []).map((d) => d.name))].sort(), [defs.data]);
  const rows = search.data?.results ?? [];
  const total = search.data?.totalHits ?? 0;
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.workflowId));

  return (
    <>
      <PageHeader title="Executions" sub="Find any run by workflow, status, time, correlation id or the words in its input and output.">
        <LiveToggle live={live} onChange={setLive} updatedAt={search.dataUpdatedAt} fetching={search.isFetching} />
      </PageHeader>
      <Filters names={names} filters={filters} range={range} query={query} onApply={(f, r) => update(f, { range: r, start: '' })} />
      {queryError && (
        <p className="action-error" role="alert">
          {queryError}
        </p>
      )}
      {abilities.control && selected.size > 0 && <BulkBar ids={[...selected]} onDone={() => setSelected(new Set())} />}
      {search.isPending ? (
        <Loading what="executions" />
      ) : search.isError && !search.data ? (
        <ErrorState what="executions" error={search.error} onRetry={() => void search.refetch()} />
      ) : rows.length === 0 ? (
        <Empty title={query || filters.freeText ? 'No execution matches these filters' : 'No executions yet'}>
          {query || filters.freeText ? (
            <p>
              Widen the time range or clear some filters.{' '}
              <Link to="/executions" className="link-button">
                Clear all filters
              </Link>
            </p>
          ) : (
            <p>
              Start a run from a <Link to="/workflowDefs">workflow definition</Link>, or with{' '}
              <code>POST /api/workflow/&#123;name&#125;</code>.
            </p>
          )}
        </Empty>
      ) : (
        <>
          {search.isError && (
            <p className="action-error" role="alert">
              The last refresh failed; showing the previous results.
            </p>
          )}
          <div className="table-wrap">
            <table className="table" aria-label="Executions" aria-rowcount={total}>
              <thead>
                <tr>
                  {abilities.control && (
                    <th scope="col" className="col-check">
                      <input
                        type="checkbox"
                        aria-label="Select every execution on this page"
                        checked={allSelected}
                        onChange={(e) => setSelected(e.target.checked ? new Set(rows.map((r) => r.workflowId)) : new Set())}
                      />
                    </th>
                  )}
                  <SortHeader field="workflowType" sort={sort} onSort={setSort} />
                  <th scope="col">Workflow id</th>
                  <SortHeader field="status" sort={sort} onSort={setSort} />
                  <SortHeader field="startTime" sort={sort} onSort={setSort} />
                  <SortHeader field="endTime" sort={sort} onSort={setSort} />
                  <th scope="col">Duration</th>
                  <th scope="col">Correlation id</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((w) => {
                  const startMs = toMs(w.startTime);
                  const endMs = toMs(w.endTime);
                  return (
                    <tr key={w.workflowId}>
                      {abilities.control && (
                        <td className="col-check">
                          <input
                            type="checkbox"
                            aria-label={`Select ${w.workflowId}`}
                            checked={selected.has(w.workflowId)}
                            onChange={(e) => {
                              const next = new Set(selected);
                              if (e.target.checked) next.add(w.workflowId);
                              else next.delete(w.workflowId);
                              setSelected(next);
                            }}
                          />
                        </td>
                      )}
                      <td>
                        {w.workflowType} <span className="muted">v{w.version}</span>
                      </td>
                      <td>
                        <Link to={`/execution/${encodeURIComponent(w.workflowId)}`} className="mono">
                          {w.workflowId}
                        </Link>
                      </td>
                      <td>
                        <StatusBadge status={w.status} />
                      </td>
                      <td>
                        <Time value={startMs} />
                      </td>
                      <td>
                        <Time value={endMs} />
                      </td>
                      <td>
                        <Duration ms={endMs ? w.executionTime : startMs ? Date.now() - startMs : null} />
                      </td>
                      <td className="mono">{w.correlationId ?? ''}</td>
                      <td className="reason" title={w.reasonForIncompletion}>
                        {w.reasonForIncompletion ?? ''}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <Pager start={start} size={size} total={total} onPage={setPage} onSize={(s) => update(filters, { size: String(s), start: '' })} />
        </>
      )}
    </>
  );
}

function SortHeader({ field, sort, onSort }: { field: SortField; sort: string; onSort: (f: SortField) => void }) {
  const [cur, dir] = sort.split(':');
  const active = cur === field;
  return (
    <th scope="col" aria-sort={active ? (dir === 'ASC' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort" onClick={() => onSort(field)}>
        {SORTABLE[field]}
        <span aria-hidden="true">{active ? (dir === 'ASC' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );
}

export function Pager({
  start,
  size,
  total,
  onPage,
  onSize,
}: {
  start: number;
  size: number;
  total: number;
  onPage: (s: number) => void;
  onSize?: (s: number) => void;
}) {
  const last = Math.max(0, Math.ceil(total / size) - 1);
  const page = Math.floor(start / size);
  return (
    <nav className="pager" aria-label="Pages">
      <span>{total === 0 ? 'none' : `${start + 1}–${Math.min(total, start + size)} of ${total.toLocaleString()}`}</span>
      <button type="button" disabled={page === 0} onClick={() => onPage(0)}>
        First
      </button>
      <button type="button" disabled={page === 0} onClick={() => onPage(Math.max(0, start - size))}>
        Previous
      </button>
      <button type="button" disabled={page >= last} onClick={() => onPage(start + size)}>
        Next
      </button>
      {onSize && (
        <label>
          Per page{' '}
          <select value={size} onChange={(e) => onSize(Number(e.target.value))}>
            {PAGE_SIZES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      )}
    </nav>
  );
}
