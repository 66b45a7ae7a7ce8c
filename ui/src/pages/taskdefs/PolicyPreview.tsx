import type { TaskDef } from '../../api/types';
import { retryDelays } from '../../lib/policy';
import { formatDuration } from '../../lib/time';

const d = (s: number) => formatDuration(s * 1000);

/** What the policy means in practice: the retry schedule, and when each time limit steps in. */
export function PolicyPreview({ def }: { def: TaskDef }) {
  const delays = retryDelays(def);
  const jitter = def.backoffJitterMs > 0 ? ` + up to ${formatDuration(def.backoffJitterMs)}` : '';
  const totalDelay = retryDelays(def, def.retryCount).reduce((a, b) => a + b, 0);
  return (
    <section className="preview" aria-labelledby="preview-h" data-testid="policy-preview">
      <h2 id="preview-h" className="small-heading">
        What this does
      </h2>
      <p>
        A failing step is tried <strong>{def.retryCount + 1}</strong> time{def.retryCount === 0 ? '' : 's'} in all
        {def.retryCount > 0 ? `, waiting ${d(totalDelay)}${jitter ? ' (plus jitter)' : ''} between attempts in total` : ''}.
      </p>
      {delays.length > 0 && (
        <ol className="schedule" aria-label="Retry schedule">
          {delays.map((s, i) => (
            <li key={i}>
              retry {i + 1} after <strong>{d(s)}</strong>
              {jitter}
            </li>
          ))}
          {def.retryCount > delays.length && <li className="muted">… {def.retryCount - delays.length} more</li>}
        </ol>
      )}
      <ul className="limits">
        <li>A worker that goes silent for {d(def.responseTimeoutSeconds)} loses the attempt to another worker.</li>
        <li>
          {def.timeoutSeconds > 0
            ? `An attempt may run for ${d(def.timeoutSeconds)} at most (${policyWord(def)}).`
            : 'An attempt has no time limit of its own.'}
        </li>
        <li>
          {def.pollTimeoutSeconds > 0
            ? `An attempt no worker claims within ${d(def.pollTimeoutSeconds)} times out.`
            : 'An attempt may wait for a worker indefinitely.'}
        </li>
        {def.totalTimeoutSeconds > 0 && <li>All attempts of a step together get {d(def.totalTimeoutSeconds)}, delays included.</li>}
        <li>
          {def.concurrentExecLimit > 0 ? `At most ${def.concurrentExecLimit} run at once` : 'No concurrency limit'};{' '}
          {def.rateLimitPerFrequency > 0
            ? `at most ${def.rateLimitPerFrequency} claims per ${d(def.rateLimitFrequencyInSeconds)}.`
            : 'no rate limit.'}
        </li>
      </ul>
    </section>
  );
}

function policyWord(def: TaskDef): string {
  return def.timeoutPolicy === 'RETRY'
    ? 'then retried'
    : def.timeoutPolicy === 'ALERT_ONLY'
      ? 'then only an alert is recorded'
      : 'then the workflow times out';
}
