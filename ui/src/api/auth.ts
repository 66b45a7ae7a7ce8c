import { useSyncExternalStore } from 'react';
import { ApiError, request } from './client';
import { abilitiesOf, authStore, type Abilities, type AuthState, type Role } from './auth-store';

interface UserInfo {
  id?: string;
  roles?: Array<{ name?: string }>;
}

const roles: readonly Role[] = ['admin', 'operator', 'worker', 'viewer'];

/**
 * Finds out whether the engine asks for credentials. With a token from this session: who it
 * belongs to (`GET /api/token/userInfo`; 401 once it no longer works). Without one: whether a read
 * needs one (the cheapest search; 401 when authentication is on), which spares the engine's log
 * a 404 from userInfo on every page load of an open engine.
 */
export async function checkSession(): Promise<void> {
  try {
    if (authStore.token() !== null) {
      authStore.set(signedIn(await request<UserInfo>('/api/token/userInfo')));
      return;
    }
    await request('/api/workflow/search', { query: { size: 0 }, anonymous: true });
    authStore.set({ kind: 'open' });
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) authStore.set({ kind: 'open' });
    else if (err instanceof ApiError && err.status === 401) authStore.set({ kind: 'signed-out' }, null);
    else authStore.set({ kind: 'signed-out', reason: err instanceof Error ? err.message : String(err) });
  }
}

/** Exchanges a key id and secret for a token (the secret is not kept). */
export async function signIn(keyId: string, keySecret: string): Promise<void> {
  const { token } = await request<{ token: string }>('/api/token', { method: 'POST', body: { keyId, keySecret }, anonymous: true });
  authStore.set({ kind: 'checking' }, token);
  const info = await request<UserInfo>('/api/token/userInfo');
  authStore.set(signedIn(info), token);
}

export function signOut(): void {
  authStore.set({ kind: 'signed-out' }, null);
}

function signedIn(info: UserInfo): AuthState {
  const name = info.roles?.[0]?.name;
  const role = roles.find((r) => r === name) ?? 'viewer';
  return { kind: 'signed-in', keyId: info.id ?? 'unknown', role };
}

export function useAuth(): AuthState {
  return useSyncExternalStore(authStore.subscribe, authStore.get);
}

export function useAbilities(): Abilities {
  return abilitiesOf(useAuth());
}
