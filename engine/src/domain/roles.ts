/**
 * The roles an API key can have (docs/security.md):
 *   admin     everything, key management included;
 *   operator  definitions, policy tuning, workflow control, reading payloads;
 *   worker    polling and reporting, for the key's task types only;
 *   viewer    reading, with payloads (inputs, outputs, variables, logs) masked.
 */
export const Role = {
  ADMIN: 'admin',
  OPERATOR: 'operator',
  WORKER: 'worker',
  VIEWER: 'viewer',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

export const roles: readonly Role[] = Object.values(Role);

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (roles as readonly string[]).includes(v);
}

/** A stored API key. The secret itself is never stored: only its SHA-256 (auth/keys.ts says why that suffices). */
export interface ApiKeyRecord {
  keyId: string;
  /** Hex SHA-256 of the secret. */
  secretHash: string;
  role: Role;
  /** For workers: the task types the key may poll and report ('*' alone: all; 'prefix*': a prefix). Empty for other roles. */
  taskTypes: string[];
  description: string;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  /** Changes with every new secret: tokens carry it, so those issued for an older secret stop working. */
  secretVersion: string;
}
