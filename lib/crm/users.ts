/**
 * PLACEHOLDER until the authentication branch is merged: the real users
 * module (createUsers) replaces this file whole at merge.
 */
import type { ApiDeps } from './deps.js';

function notMerged(): Promise<never> {
  return Promise.reject(new Error('users: not merged yet'));
}

export function createUsers(_deps: ApiDeps) {
  return {
    list: (_filters?: Record<string, unknown>) => notMerged(),
    get: (_idOrEmail: number | string) => notMerged(),
    create: (_fields: Record<string, unknown>) => notMerged(),
    update: (_id: number, _changes: Record<string, unknown>) => notMerged(),
    delete: (_id: number, _options?: Record<string, unknown>) => notMerged(),
  };
}

export type Users = ReturnType<typeof createUsers>;
