/**
 * What the users methods return (lib/crm/users.ts): each record's type and
 * its description (lib/crm/describe.ts `record`), which `epic-events types`
 * declares. Apart from users.ts so that lib/crm/confirm.ts reads a
 * collaborator's type without the users methods.
 */
import type { Department } from '../domain/departments.js';
import { record } from './describe.js';
import type { Moved } from './reassign.js';

export interface UserRecord {
  id: number;
  employeeNumber: string;
  fullName: string;
  email: string;
  phone: string | null;
  department: Department;
  createdAt: Date;
  updatedAt: Date;
}

/** An open database session of a collaborator (never its secret). */
export interface SessionRecord {
  id: number;
  createdAt: Date;
  expiresAt: Date;
  /** The session this shell runs on. */
  current: boolean;
}

export interface DeletedUser {
  id: number;
  email: string;
  fullName: string;
  department: Department;
  /** Clients that were theirs: moved to reassignTo, or now unassigned. */
  clients: number;
  events: number;
  /** Who received them, by name and id (`Bill Boquet (id 4)`); null: left unassigned. */
  reassignedTo: string | null;
}

/** users.update: the record, and what a department change moved. */
export type UpdatedUser = UserRecord & { moved?: Moved };

const DEPARTMENT = "'management' | 'sales' | 'support'";

const COLLABORATOR_FIELDS = {
  id: 'number', employeeNumber: 'string', fullName: 'string', email: 'string', phone: 'string | null',
  department: DEPARTMENT, createdAt: 'Date', updatedAt: 'Date',
} as const;

export const COLLABORATOR = record<UserRecord>('Collaborator', COLLABORATOR_FIELDS);

export const UPDATED_COLLABORATOR = record<UpdatedUser>('UpdatedCollaborator', {
  ...COLLABORATOR_FIELDS,
  moved: ['{ clients: number; events: number; to: { id: number; fullName: string } | null }', 'What a department change moved, and to whom (null: left unassigned).', 'optional'],
});

export const SESSION = record<SessionRecord>('OpenSession', {
  id: 'number', createdAt: 'Date', expiresAt: 'Date', current: ['boolean', 'The session this shell runs on.'],
});

export const DELETED_USER = record<DeletedUser>('DeletedCollaborator', {
  id: 'number', email: 'string', fullName: 'string', department: DEPARTMENT, clients: ['number', 'Clients that were theirs.'], events: 'number',
  reassignedTo: ['string | null', 'Who received them; null: left unassigned.'],
});

export const SESSIONS_ENDED = record<{ id: number; ended: number }>('SessionsEnded', { id: 'number', ended: ['number', 'Sessions ended.'] });

export const UNLOCKED = record<{ email: string; wasLocked: boolean }>('Unlocked', { email: 'string', wasLocked: 'boolean' });
