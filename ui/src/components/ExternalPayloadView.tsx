import { useState } from 'react';
import { messageOf, request } from '../api/client';
import { JsonView } from './JsonView';

type PayloadType = 'WORKFLOW_OUTPUT' | 'TASK_INPUT' | 'TASK_OUTPUT';

/**
 * A payload, or, when the engine keeps it in its payload store (docs/payloads.md), its path and a
 * button that fetches it through a signed READ location: large payloads are loaded only when asked
 * for, and a viewer's comes masked like any other.
 */
export function PayloadView({
  value,
  externalPath,
  payloadType,
  label,
}: {
  value: unknown;
  externalPath?: string | undefined;
  payloadType: PayloadType;
  label: string;
}) {
  const [state, setState] = useState<
    { kind: 'idle' } | { kind: 'loading' } | { kind: 'loaded'; value: unknown } | { kind: 'failed'; message: string }
  >({ kind: 'idle' });
  if (!externalPath) return <JsonView value={value} label={label} />;
  const load = async (): Promise<void> => {
    setState({ kind: 'loading' });
    try {
      const where = await request<{ uri: string }>('/api/workflow/external-storage-location', {
        query: { path: externalPath, operation: 'READ', payloadType },
      });
      const res = await fetch(where.uri, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`the payload store answered ${res.status}`);
      setState({ kind: 'loaded', value: (await res.json()) as unknown });
    } catch (err) {
      setState({ kind: 'failed', message: messageOf(err) });
    }
  };
  return (
    <div className="external-payload" data-testid="external-payload">
      <p className="muted">
        The {label.toLowerCase()} is kept in the payload store: <span className="mono">{externalPath}</span>
      </p>
      {state.kind === 'loaded' ? (
        <JsonView value={state.value} label={label} />
      ) : (
        <button type="button" onClick={() => void load()} disabled={state.kind === 'loading'}>
          {state.kind === 'loading' ? 'Loading…' : `Load the ${label.toLowerCase()}`}
        </button>
      )}
      {state.kind === 'failed' && <p role="alert">Could not load it: {state.message}</p>}
    </div>
  );
}
