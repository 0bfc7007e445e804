/**
 * Candidates for Tab completion of a name (lib/shell/name-completion.ts):
 * clients or collaborators whose name starts with what is typed, at most
 * MAX_CANDIDATES, in one indexed statement under the caller's session
 * (sql/completion.sql, migration 032): only what the caller may read.
 */
import { bind, queries } from '../db/sql.js';
import type { Department } from '../domain/departments.js';
import { inSessionStatement, type ApiDeps } from './deps.js';

const q = queries('completion', ['clientCandidates', 'collaboratorCandidates'] as const);

export const MAX_CANDIDATES = 20;

/** What an argument names: a client, or a collaborator (of one department, or any). */
export type CandidateKind = { of: 'client' } | { of: 'collaborator'; department?: Department };

export interface Candidate {
  id: number;
  name: string;
}

/** The typed text as a LIKE prefix: lower case, its wildcards taken literally. */
export function likePrefix(typed: string): string {
  return typed.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function createCandidates(deps: ApiDeps) {
  return async (kind: CandidateKind, typed: string): Promise<Candidate[]> => {
    const prefix = likePrefix(typed.trim());
    if (prefix === '') return [];
    return kind.of === 'client'
      ? inSessionStatement<Candidate>(deps, q.clientCandidates, bind(q.clientCandidates, { prefix, limit: MAX_CANDIDATES }), { readOnly: true })
      : inSessionStatement<Candidate>(deps, q.collaboratorCandidates, bind(q.collaboratorCandidates, { prefix, department: kind.department ?? null, limit: MAX_CANDIDATES }), { readOnly: true });
  };
}

export type Candidates = ReturnType<typeof createCandidates>;
