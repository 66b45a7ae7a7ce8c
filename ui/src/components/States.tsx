import type { ReactNode } from 'react';
import { ApiError, messageOf } from '../api/client';

/** Shown while the first answer is on its way (later refreshes keep the old data on screen). */
export function Loading({ what }: { what: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      Loading {what}…
    </div>
  );
}

/** A failed read: what failed, the engine's own words, and a way to try again. */
export function ErrorState({ what, error, onRetry }: { what: string; error: unknown; onRetry?: () => void }) {
  const api = error instanceof ApiError ? error : null;
  const notFound = api?.status === 404;
  const forbidden = api?.status === 403;
  return (
    <div className="state state-error" role="alert">
      <h2>{notFound ? `No such ${what}` : forbidden ? `Not allowed to read ${what}` : `Could not load ${what}`}</h2>
      <p>{messageOf(error)}</p>
      {api?.problems.length ? (
        <ul>
          {api.problems.map((p) => (
            <li key={`${p.pointer}:${p.message}`}>
              <code>{p.pointer || '/'}</code> {p.message}
            </li>
          ))}
        </ul>
      ) : null}
      {onRetry && !notFound && !forbidden && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <h2>{title}</h2>
      {children}
    </div>
  );
}

/** An action's failure, inline next to the button that caused it. */
export function ActionError({ error }: { error: unknown }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  return (
    <div className="action-error" role="alert">
      <strong>The engine refused: </strong>
      {messageOf(error)}
      {api?.problems.length ? (
        <ul>
          {api.problems.map((p) => (
            <li key={`${p.pointer}:${p.message}`}>
              <code>{p.pointer || '/'}</code> {p.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
