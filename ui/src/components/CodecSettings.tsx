import { useState } from 'react';
import { endpointProblem, setCodecEndpoint, useCodecEndpoint } from '../lib/codec';
import { Dialog } from './Dialog';

/**
 * The codec endpoint setting (lib/codec.ts): where this browser sends encoded payloads to be
 * decoded for display. Kept in this browser only; the engine never learns it.
 */
export function CodecSettings() {
  const endpoint = useCodecEndpoint();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className="small"
        onClick={() => setOpen(true)}
        title={endpoint ? `Decoding through ${endpoint}` : 'No codec endpoint set'}
      >
        Codec{endpoint ? ' ✓' : ''}
      </button>
      <CodecDialog open={open} onClose={() => setOpen(false)} />
    </>
  );
}

export function CodecDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const endpoint = useCodecEndpoint();
  const [url, setUrl] = useState(endpoint ?? '');
  const problem = url.trim() === '' ? null : endpointProblem(url.trim());
  return (
    <Dialog title="Codec endpoint" open={open} onClose={onClose}>
      <p>
        Encoded payloads are decoded for display by your own codec server (the SDK&apos;s <code>createCodecServer</code>), called from this
        browser: the keys and the decoded values never reach the engine. The URL is kept in this browser only.
      </p>
      <label className="field">
        Codec endpoint URL
        <input
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="http://localhost:8888"
          aria-invalid={problem !== null}
          aria-describedby={problem ? 'codec-url-problem' : undefined}
        />
      </label>
      {problem && (
        <p id="codec-url-problem" className="field-error" role="alert">
          The URL {problem}.
        </p>
      )}
      <div className="dialog-actions">
        {endpoint && (
          <button
            type="button"
            onClick={() => {
              setCodecEndpoint(null);
              setUrl('');
              onClose();
            }}
          >
            Forget
          </button>
        )}
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          disabled={url.trim() === '' || problem !== null}
          onClick={() => {
            setCodecEndpoint(url.trim());
            onClose();
          }}
        >
          Save
        </button>
      </div>
    </Dialog>
  );
}
