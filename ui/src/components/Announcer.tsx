import { useSyncExternalStore } from 'react';

interface Note {
  id: number;
  text: string;
  kind: 'ok' | 'error';
}

/** Confirmations of actions ("Workflow paused"), shown briefly and read out by screen readers. */
let notes: Note[] = [];
let next = 1;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());

export function announce(text: string, kind: Note['kind'] = 'ok'): void {
  const note = { id: next++, text, kind };
  notes = [...notes.slice(-3), note];
  emit();
  setTimeout(() => {
    notes = notes.filter((n) => n !== note);
    emit();
  }, 6000);
}

export function Announcer() {
  const list = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => notes,
  );
  return (
    <div className="toasts" role="status" aria-live="polite">
      {list.map((n) => (
        <div key={n.id} className={`toast toast-${n.kind}`}>
          {n.text}
        </div>
      ))}
    </div>
  );
}
