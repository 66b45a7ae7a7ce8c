import type { Problem } from '@baton/definitions';
import { useId } from 'react';
import type { TaskDef } from '../../api/types';

/** The form's state: the definition with its numbers as typed (strings), so a field can be empty. */
export type Draft = Record<string, unknown>;

type NumberKey =
  | 'retryCount'
  | 'retryDelaySeconds'
  | 'backoffScaleFactor'
  | 'maxRetryDelaySeconds'
  | 'backoffJitterMs'
  | 'responseTimeoutSeconds'
  | 'timeoutSeconds'
  | 'pollTimeoutSeconds'
  | 'totalTimeoutSeconds'
  | 'concurrentExecLimit'
  | 'rateLimitPerFrequency'
  | 'rateLimitFrequencyInSeconds';

const NUMBER_KEYS: readonly NumberKey[] = [
  'retryCount',
  'retryDelaySeconds',
  'backoffScaleFactor',
  'maxRetryDelaySeconds',
  'backoffJitterMs',
  'responseTimeoutSeconds',
  'timeoutSeconds',
  'pollTimeoutSeconds',
  'totalTimeoutSeconds',
  'concurrentExecLimit',
  'rateLimitPerFrequency',
  'rateLimitFrequencyInSeconds',
];

export function draftOf(def: Partial<TaskDef> & { name: string }): Draft {
  const d: Draft = { ...def };
  for (const k of NUMBER_KEYS) d[k] = def[k] === undefined ? '' : String(def[k]);
  return d;
}

/** What the validator sees: an empty field is left out (its default applies, as on the server). */
export function candidateOf(d: Draft): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) {
    if ((NUMBER_KEYS as readonly string[]).includes(k)) {
      if (v !== '' && v !== undefined) c[k] = Number(v);
    } else if (v !== '' && v !== undefined) c[k] = v;
  }
  return c;
}

interface FieldSpec {
  key: NumberKey;
  label: string;
  unit: string;
  help: string;
  when?: (d: Draft) => boolean;
}

const RETRIES: FieldSpec[] = [
  {
    key: 'retryCount',
    label: 'Retries',
    unit: 'after the first attempt',
    help: 'A step gives up after 1 + this many attempts (a step may override it).',
  },
  { key: 'retryDelaySeconds', label: 'Retry delay', unit: 's', help: 'The base delay before a retry becomes visible to workers.' },
  {
    key: 'backoffScaleFactor',
    label: 'Backoff factor',
    unit: '×',
    help: 'LINEAR_BACKOFF only: delay × factor × retry number.',
    when: (d) => d.retryLogic === 'LINEAR_BACKOFF',
  },
  { key: 'maxRetryDelaySeconds', label: 'Longest delay', unit: 's (0: no cap)', help: 'Caps the computed delay.' },
  {
    key: 'backoffJitterMs',
    label: 'Jitter',
    unit: 'ms',
    help: 'Adds up to this much to each delay, so that attempts failing together do not retry together.',
  },
];
const TIMEOUTS: FieldSpec[] = [
  {
    key: 'responseTimeoutSeconds',
    label: 'Response timeout',
    unit: 's',
    help: 'A claimed attempt whose worker stays silent this long is handed to another worker (always retried).',
  },
  {
    key: 'timeoutSeconds',
    label: 'Attempt timeout',
    unit: 's (0: none)',
    help: "One attempt's time from its first claim, progress reports or not.",
  },
  { key: 'pollTimeoutSeconds', label: 'Poll timeout', unit: 's (0: none)', help: 'How long an attempt may wait for a worker to claim it.' },
  {
    key: 'totalTimeoutSeconds',
    label: 'Total timeout',
    unit: 's (0: none)',
    help: 'All attempts of a step together, retry delays included.',
  },
];
const LIMITS: FieldSpec[] = [
  { key: 'concurrentExecLimit', label: 'Concurrency limit', unit: 'attempts at once (0: none)', help: 'Across every engine and worker.' },
  { key: 'rateLimitPerFrequency', label: 'Rate limit', unit: 'claims per window (0: none)', help: 'At most this many claims per window.' },
  { key: 'rateLimitFrequencyInSeconds', label: 'Rate window', unit: 's', help: 'The window of the rate limit.' },
];

/**
 * The policy fields in three groups, each with what it means and its unit; a problem the
 * validator finds is shown at its field (its JSON pointer names it).
 */
export function PolicyForm({
  draft,
  onChange,
  problems,
  isNew,
  readOnly,
}: {
  draft: Draft;
  onChange: (d: Draft) => void;
  problems: Problem[];
  isNew: boolean;
  readOnly: boolean;
}) {
  const errorOf = (key: string) =>
    problems
      .filter((p) => p.pointer === `/${key}`)
      .map((p) => p.message)
      .join('; ');
  const general = problems.filter((p) => !/^\/[A-Za-z]+$/.test(p.pointer) || p.pointer === '');
  const set = (k: string, v: unknown) => onChange({ ...draft, [k]: v });
  const num = (f: FieldSpec) =>
    f.when && !f.when(draft) ? null : (
      <NumberField
        key={f.key}
        spec={f}
        value={String(draft[f.key] ?? '')}
        error={errorOf(f.key)}
        onChange={(v) => set(f.key, v)}
        readOnly={readOnly}
      />
    );
  return (
    <>
      {isNew && (
        <fieldset className="policy-group">
          <legend>Task type</legend>
          <TextField
            label="Name"
            value={String(draft.name ?? '')}
            error={errorOf('name')}
            onChange={(v) => set('name', v)}
            readOnly={readOnly}
            help="What workers poll for and steps name; it cannot be changed later."
          />
        </fieldset>
      )}
      <fieldset className="policy-group">
        <legend>Retries</legend>
        <SelectField
          label="Retry logic"
          value={String(draft.retryLogic ?? 'FIXED')}
          options={['FIXED', 'LINEAR_BACKOFF', 'EXPONENTIAL_BACKOFF']}
          onChange={(v) => set('retryLogic', v)}
          error={errorOf('retryLogic')}
          readOnly={readOnly}
        />
        {RETRIES.map(num)}
      </fieldset>
      <fieldset className="policy-group">
        <legend>Timeouts</legend>
        {TIMEOUTS.map(num)}
        <SelectField
          label="Timeout policy"
          value={String(draft.timeoutPolicy ?? 'TIME_OUT_WF')}
          options={['RETRY', 'TIME_OUT_WF', 'ALERT_ONLY']}
          onChange={(v) => set('timeoutPolicy', v)}
          error={errorOf('timeoutPolicy')}
          readOnly={readOnly}
          help="What the attempt, poll and total timeouts do: retry, end the workflow TIMED_OUT, or only record an alert."
        />
      </fieldset>
      <fieldset className="policy-group">
        <legend>Flow control</legend>
        {LIMITS.map(num)}
      </fieldset>
      <fieldset className="policy-group">
        <legend>About</legend>
        <TextField
          label="Description"
          value={String(draft.description ?? '')}
          error={errorOf('description')}
          onChange={(v) => set('description', v)}
          readOnly={readOnly}
        />
        <TextField
          label="Owner email"
          value={String(draft.ownerEmail ?? '')}
          error={errorOf('ownerEmail')}
          onChange={(v) => set('ownerEmail', v)}
          readOnly={readOnly}
          type="email"
        />
      </fieldset>
      {general.length > 0 && (
        <ul className="field-error">
          {general.map((p) => (
            <li key={p.pointer + p.message}>
              <code>{p.pointer || '/'}</code> {p.message}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function NumberField({
  spec,
  value,
  error,
  onChange,
  readOnly,
}: {
  spec: FieldSpec;
  value: string;
  error: string;
  onChange: (v: string) => void;
  readOnly: boolean;
}) {
  const id = useId();
  return (
    <div className="pfield">
      <label htmlFor={id}>{spec.label}</label>
      <span className="pinput">
        <input
          id={id}
          name={spec.key}
          type="number"
          inputMode="numeric"
          min={0}
          step={1}
          value={value}
          readOnly={readOnly}
          aria-invalid={!!error}
          aria-describedby={`${id}-help${error ? ` ${id}-err` : ''}`}
          onChange={(e) => onChange(e.target.value)}
        />
        <span className="unit">{spec.unit}</span>
      </span>
      <span className="help" id={`${id}-help`}>
        {spec.help}
      </span>
      {error && (
        <span className="field-error" id={`${id}-err`}>
          {error}
        </span>
      )}
    </div>
  );
}

function SelectField(p: {
  label: string;
  value: string;
  options: string[];
  onChange: (v: string) => void;
  error: string;
  readOnly: boolean;
  help?: string;
}) {
  const id = useId();
  return (
    <div className="pfield">
      <label htmlFor={id}>{p.label}</label>
      <select
        id={id}
        value={p.value}
        disabled={p.readOnly}
        onChange={(e) => p.onChange(e.target.value)}
        aria-describedby={p.help ? `${id}-help` : undefined}
      >
        {p.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
      {p.help && (
        <span className="help" id={`${id}-help`}>
          {p.help}
        </span>
      )}
      {p.error && <span className="field-error">{p.error}</span>}
    </div>
  );
}

function TextField(p: {
  label: string;
  value: string;
  error: string;
  onChange: (v: string) => void;
  readOnly: boolean;
  help?: string;
  type?: string;
}) {
  const id = useId();
  return (
    <div className="pfield">
      <label htmlFor={id}>{p.label}</label>
      <input
        id={id}
        type={p.type ?? 'text'}
        value={p.value}
        readOnly={p.readOnly}
        aria-invalid={!!p.error}
        aria-describedby={p.help || p.error ? `${id}-help` : undefined}
        onChange={(e) => p.onChange(e.target.value)}
      />
      {(p.help || p.error) && (
        <span className={p.error ? 'field-error' : 'help'} id={`${id}-help`}>
          {p.error || p.help}
        </span>
      )}
    </div>
  );
}
