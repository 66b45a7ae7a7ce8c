import { useEffect, useState, type FormEvent } from 'react';
import { workflowStatuses } from '../../api/types';
import { CheckMenu } from '../../components/CheckMenu';
import { emptyFilters, type ExecutionFilters } from '../../lib/search-query';
import { fromLocalInput, toLocalInput, userTimeZone } from '../../lib/time';

const RANGES: Record<string, { label: string; ms: number }> = {
  '15m': { label: 'last 15 minutes', ms: 15 * 60_000 },
  '1h': { label: 'last hour', ms: 3_600_000 },
  '24h': { label: 'last 24 hours', ms: 86_400_000 },
  '7d': { label: 'last 7 days', ms: 7 * 86_400_000 },
};

/** The start of a relative range ("1h": an hour before now), or undefined for none or a fixed range. */
export function rangeFrom(range: string, now: number): number | undefined {
  const r = RANGES[range];
  return r ? now - r.ms : undefined;
}

/**
 * The filters. Checkboxes and the time range apply at once; text fields when submitted (Enter or
 * Search), so typing does not fire a search per key.
 */
export function Filters({
  names,
  filters,
  range,
  query,
  onApply,
}: {
  names: string[];
  filters: ExecutionFilters;
  range: string;
  query: string;
  onApply: (f: ExecutionFilters, range: string) => void;
}) {
  const [draft, setDraft] = useState(filters);
  const [rangeDraft, setRangeDraft] = useState(range || (filters.from !== undefined || filters.to !== undefined ? 'custom' : ''));
  const [advanced, setAdvanced] = useState(filters.advanced !== '');
  const key = JSON.stringify(filters);
  useEffect(() => setDraft(filters), [key]);

  const apply = (f: ExecutionFilters, r = rangeDraft) => {
    const fixed = r === 'custom' ? f : { ...f, from: undefined, to: undefined };
    const clean: ExecutionFilters = { ...fixed };
    if (clean.from === undefined) delete clean.from;
    if (clean.to === undefined) delete clean.to;
    onApply(clean, r === 'custom' ? '' : r);
  };
  /** A choice shows at once and applies at once (the URL, and so the search, follow). */
  const choose = (f: ExecutionFilters) => {
    setDraft(f);
    apply(f);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply(draft);
  };
  const text = (field: 'correlationId' | 'workflowId' | 'freeText' | 'advanced', label: string, placeholder: string, wide = false) => (
    <label className={wide ? 'field wide' : 'field'}>
      {label}
      <input
        type="search"
        value={draft[field]}
        placeholder={placeholder}
        onChange={(e) => setDraft({ ...draft, [field]: e.target.value })}
      />
    </label>
  );

  return (
    <form className="filters" onSubmit={submit} role="search" aria-label="Filter executions">
      <div className="filters-row">
        <CheckMenu label="Workflow" options={names} selected={draft.names} onChange={(n) => choose({ ...draft, names: n })} />
        <CheckMenu
          label="Status"
          options={workflowStatuses}
          selected={draft.statuses}
          onChange={(s) => choose({ ...draft, statuses: s })}
        />
        <label className="field">
          Started
          <select
            value={rangeDraft}
            onChange={(e) => {
              setRangeDraft(e.target.value);
              if (e.target.value !== 'custom') apply(draft, e.target.value);
            }}
          >
            <option value="">any time</option>
            {Object.entries(RANGES).map(([k, r]) => (
              <option key={k} value={k}>
                {r.label}
              </option>
            ))}
            <option value="custom">between…</option>
          </select>
        </label>
        {rangeDraft === 'custom' && (
          <>
            <label className="field">
              From ({userTimeZone})
              <input
                type="datetime-local"
                value={draft.from !== undefined ? toLocalInput(draft.from) : ''}
                onChange={(e) => {
                  const { from: _drop, ...rest } = draft;
                  const ms = fromLocalInput(e.target.value);
                  setDraft(ms === undefined ? rest : { ...rest, from: ms });
                }}
              />
            </label>
            <label className="field">
              To
              <input
                type="datetime-local"
                value={draft.to !== undefined ? toLocalInput(draft.to) : ''}
                onChange={(e) => {
                  const { to: _drop, ...rest } = draft;
                  const ms = fromLocalInput(e.target.value);
                  setDraft(ms === undefined ? rest : { ...rest, to: ms });
                }}
              />
            </label>
          </>
        )}
      </div>
      <div className="filters-row">
        {text('correlationId', 'Correlation id', 'order-1234')}
        {text('workflowId', 'Workflow id', 'exact id')}
        {text('freeText', 'Words in input or output', 'ada "a phrase" pre*', true)}
        <button type="submit" className="primary">
          Search
        </button>
        <button
          type="button"
          onClick={() => {
            setRangeDraft('');
            setDraft(emptyFilters);
            onApply(emptyFilters, '');
          }}
        >
          Reset
        </button>
        <button type="button" className="link-button" aria-expanded={advanced} onClick={() => setAdvanced(!advanced)}>
          {advanced ? 'Hide query' : 'Query…'}
        </button>
      </div>
      {advanced && (
        <div className="filters-row">
          {text('advanced', 'More conditions (query language)', 'priority > 5 AND reasonForIncompletion = "timeout"', true)}
          <p className="query-preview">
            Query sent: <code data-testid="query-preview">{query || '(none: every run)'}</code>
          </p>
        </div>
      )}
    </form>
  );
}
