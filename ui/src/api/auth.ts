import { useSyncExternalStore } from 'react';
import { ApiError, request } from './client';
import { abilitiesOf, authStore, type Abilities, type AuthState, type Role } from './auth-store';

interface UserInfo {
  id?: string;
  roles?: Array<{ name?: string }>;
}

const roles: readonly Role[] = ['admin', 'operator', 'worker', 'viewer'];

/**
 * Finds out whether the engine asks for credentials: `GET /api/token/userInfo` is a 404 when
 * authentication is off, a 401 without a valid token, and names the key and role otherwise.
 */
export async function checkSession(): Promise<void> {
  try {
    const info = await request<UserInfo>('/api/token/userInfo', { anonymous: authStore.token() === null });
    authStore.set(signedIn(info));
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
