import { useState, type FormEvent } from 'react';
import { signIn } from './api/auth';
import { messageOf } from './api/client';

/**
 * Authentication is on (docs/security.md): a key id and secret are exchanged for a token at
 * POST /api/token. The token is kept for this tab's session; the secret is not kept anywhere.
 */
export function SignIn({ reason }: { reason?: string | undefined }) {
  const [keyId, setKeyId] = useState('');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(keyId.trim(), secret);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="signin">
      <h1>Sign in to Baton</h1>
      <p className="muted">This engine asks for an API key. The access token it gives is kept for this browser tab only.</p>
      {reason && !error && (
        <p className="notice" role="status">
          Your session ended: {reason}
        </p>
      )}
      <form onSubmit={(e) => void submit(e)}>
        <label>
          Key id
          <input name="keyId" autoComplete="username" required value={keyId} onChange={(e) => setKeyId(e.target.value)} />
        </label>
        <label>
          Key secret
          <input
            name="keySecret"
            type="password"
            autoComplete="current-password"
            required
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
          />
        </label>
        {error && (
          <p className="action-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
