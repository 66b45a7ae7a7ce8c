/** Status colours come from CSS classes `st-<STATUS>` (styles.css), in both colour schemes. */
export function statusClass(status: string): string {
  return `st-${status}`;
}

const labels: Record<string, string> = { NOT_RUN: 'not run', DEFINED: '' };

export function statusLabel(status: string): string {
  return labels[status] ?? status.replace(/_/g, ' ').toLowerCase();
}

/** A status as a badge: colour plus the word (never colour alone). */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge ${statusClass(status)}`} data-status={status}>
      <span className="dot" aria-hidden="true" />
      {statusLabel(status)}
    </span>
  );
}

export function StatusText({ status }: { status: string }) {
  return (
    <span className="status-text" data-status={status}>
      <span className="dot" aria-hidden="true" />
      {statusLabel(status)}
    </span>
  );
}
