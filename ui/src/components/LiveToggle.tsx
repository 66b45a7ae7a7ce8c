import { useEffect, useState } from 'react';
import { formatRelative } from '../lib/time';

/** "Live" on or off, and how fresh the shown data is. */
export function LiveToggle({
  live,
  onChange,
  updatedAt,
  fetching,
}: {
  live: boolean;
  onChange: (v: boolean) => void;
  updatedAt: number;
  fetching: boolean;
}) {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, []);
  return (
    <span className="live">
      <label className="check">
        <input type="checkbox" checked={live} onChange={(e) => onChange(e.target.checked)} />
        Live
      </label>
      <span className="muted" aria-live="off">
        {fetching ? 'updating…' : updatedAt ? `updated ${formatRelative(updatedAt)}` : ''}
      </span>
    </span>
  );
}
