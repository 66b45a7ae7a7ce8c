/** The roles of docs/security.md. */
export type Role = 'admin' | 'operator' | 'worker' | 'viewer';

export type AuthState =
  | { kind: 'checking' }
  /** Authentication is off on this engine: everything is open (loopback only). */
  | { kind: 'open' }
  | { kind: 'signed-in'; keyId: string; role: Role }
  | { kind: 'signed-out'; reason?: string };

const TOKEN_KEY = 'baton.token';

/**
 * The session: the access token from `POST /api/token`, kept in sessionStorage (gone when the
 * tab closes; never the key secret), and who it belongs to. A plain store with subscribe, read by
 * React through useSyncExternalStore (auth.ts).
 */
class AuthStore {
  private state: AuthState = { kind: 'checking' };
  private readonly listeners = new Set<() => void>();

  token(): string | null {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  }

  get = (): AuthState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  set(state: AuthState, token?: string | null): void {
    if (token !== undefined) {
      try {
        if (token === null) sessionStorage.removeItem(TOKEN_KEY);
        else sessionStorage.setItem(TOKEN_KEY, token);
      } catch {
        /* storage refused (private mode): the session lasts as long as the page */
      }
    }
    this.state = state;
    for (const l of this.listeners) l();
  }

  /** A 401: the token is missing, expired or revoked. Only a session that was on "ended". */
  expire(reason: string): void {
    if (this.state.kind === 'open' || this.state.kind === 'signed-out') return;
    this.set(this.state.kind === 'signed-in' ? { kind: 'signed-out', reason } : { kind: 'signed-out' }, null);
  }
}

export const authStore = new AuthStore();

/** What a role may do in the UI (engine/src/auth/permissions.ts decides; this only hides what would be refused). */
export interface Abilities {
  control: boolean;
  editDefinitions: boolean;
  masked: boolean;
}

export function abilitiesOf(state: AuthState): Abilities {
  if (state.kind === 'open') return { control: true, editDefinitions: true, masked: false };
  if (state.kind !== 'signed-in') return { control: false, editDefinitions: false, masked: false };
  const writer = state.role === 'admin' || state.role === 'operator';
  return { control: writer, editDefinitions: writer, masked: state.role === 'viewer' };
}
