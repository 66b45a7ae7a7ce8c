import { useMemo, useState } from 'react';
import { useDecoded, type Decoded } from '../lib/codec';
import { isMasked } from '../lib/masked';
import { CodecDialog } from './CodecSettings';
import { CopyButton } from './CopyButton';

/** Larger payloads are cut on screen (the copy button copies all of it). */
const MAX_SHOWN_CHARS = 200_000;

/**
 * A payload as indented JSON. A viewer's masked payload (every value `***`) says so, instead of
 * looking like data.
 */
export function JsonView({ value: stored, label }: { value: unknown; label: string }) {
  const [all, setAll] = useState(false);
  const [showEncoded, setShowEncoded] = useState(false);
  // Encoded fields are shown decoded by the user's codec endpoint (lib/codec.ts), when one is set.
  const decoded = useDecoded(stored);
  const value = decoded.kind === 'decoded' && !showEncoded ? decoded.value : stored;
  const text = useMemo(() => (value === undefined ? '' : JSON.stringify(value, null, 2)), [value]);
  if (value === undefined || value === null || (typeof value === 'object' && Object.keys(value).length === 0)) {
    return <p className="muted">No {label.toLowerCase()}.</p>;
  }
  const masked = isMasked(value);
  const cut = !all && text.length > MAX_SHOWN_CHARS;
  return (
    <div className="json">
      {masked && (
        <p className="masked-note" role="note">
          <span aria-hidden="true">🔒</span> Masked: your role (viewer) sees the fields of the {label.toLowerCase()} but not their values.
        </p>
      )}
      <CodecNote decoded={decoded} label={label} showEncoded={showEncoded} onToggle={() => setShowEncoded((v) => !v)} />
      <div className="json-tools">
        <CopyButton text={text} label={`Copy ${label.toLowerCase()}`} />
      </div>
      <pre tabIndex={0} aria-label={label}>
        {cut ? `${text.slice(0, MAX_SHOWN_CHARS)}\n…` : text}
      </pre>
      {cut && (
        <button type="button" onClick={() => setAll(true)}>
          Show all {Math.round(text.length / 1024)} KB
        </button>
      )}
    </div>
  );
}

/** What the view shows of encoded fields: decoded (and by whom), why not, or how to decode them. */
function CodecNote({
  decoded,
  label,
  showEncoded,
  onToggle,
}: {
  decoded: Decoded;
  label: string;
  showEncoded: boolean;
  onToggle: () => void;
}) {
  const [settings, setSettings] = useState(false);
  if (decoded.kind === 'plain') return null;
  const fields = `${decoded.count} encoded field${decoded.count === 1 ? '' : 's'}`;
  return (
    <div className="masked-note codec-note" role="note" data-codec={decoded.kind}>
      <span aria-hidden="true">🔐</span>{' '}
      {decoded.kind === 'no-endpoint' && (
        <>
          The {label.toLowerCase()} holds {fields}; the engine stores them encrypted and cannot read them.{' '}
          <button type="button" className="link-button" onClick={() => setSettings(true)}>
            Set a codec endpoint
          </button>{' '}
          to decode them in this browser.
        </>
      )}
      {decoded.kind === 'decoding' && <>Decoding {fields}…</>}
      {decoded.kind === 'decoded' && (
        <>
          {showEncoded
            ? `Showing ${fields} as stored (encrypted).`
            : `${fields[0]?.toUpperCase()}${fields.slice(1)} decoded by ${decoded.endpoint}; the engine stores them encrypted.`}{' '}
          <button type="button" className="link-button" onClick={onToggle}>
            {showEncoded ? 'Show decoded' : 'Show as stored'}
          </button>
        </>
      )}
      {decoded.kind === 'failed' && (
        <>
          Could not decode {fields} through {decoded.endpoint}: {decoded.error}.{' '}
          <button type="button" className="link-button" onClick={() => setSettings(true)}>
            Change the codec endpoint
          </button>
        </>
      )}
      <CodecDialog open={settings} onClose={() => setSettings(false)} />
    </div>
  );
}
