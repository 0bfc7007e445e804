/**
 * Collaborators (`users` in the shell; management only, enforced by the guard
 * from lib/permissions.ts). Records never carry the password hash: every query
 * here selects named columns without it (sql/users.sql); only sql/auth.sql reads it.
 *
 * Clients and events are never lost with their collaborator:
 * - `delete(id, {reassignTo})` moves the collaborator's clients and events to
 *   reassignTo; without it they become unassigned (and show in `unassigned` filters).
 * - A department change releases what no longer fits the new department in the same
 *   way (a former salesperson keeps no clients, a former support collaborator no
 *   events), to `update(id, changes, {reassignTo})` or unassigned.
 * - The target must fit what it receives: clients go to a sales collaborator,
 *   events to a support collaborator. Someone holding both kinds at once cannot be
 *   reassigned to a single target (leave them unassigned, then assign each).
 * Nobody may delete themselves, and the last management collaborator may not
 * leave management: someone must be able to manage collaborators.
 */
import type { Executor } from '../db/index.js';
import { queries } from '../db/sql.js';
import { NotFound, ValidationError } from '../errors.js';
import { isDepartment, type Department, DEPARTMENTS } from '../departments.js';
import { hashPassword, passwordProblem } from '../auth/passwords.js';
import { inSession, inSessionStatement, type ApiDeps } from './deps.js';
import { createHistory } from './history.js';
import { makePage, type Page } from './page.js';
import { Problems, containsPattern, email, fieldsOf, name, optional, pageLimit, phone, recordId, required, text, validated } from './validate.js';

const aq = queries('auth', ['userSessions', 'endUserSessions', 'unlockLogin'] as const);
const q = queries('users', [
  'createUser', 'getUserById', 'getUserByEmail', 'listUsers', 'lockUserForChange', 'managementCountOthers',
  'updateUser', 'setUserPassword', 'moveClients', 'moveEvents', 'deleteUser',
] as const);

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

export interface UserListFilter {
  department?: Department;
  search?: string;
  limit?: number;
}

export interface NewUser {
  fullName: string;
  email: string;
  department: Department;
  password: string;
  phone?: string | null;
  employeeNumber?: string;
}

export interface UserChanges {
  fullName?: string;
  email?: string;
  phone?: string | null;
  department?: Department;
  password?: string;
}

/** An open database session of a collaborator (never its secret). */
export interface SessionRecord {
  id: number;
  createdAt: Date;
  expiresAt: Date;
  /** The session this shell runs on. */
  current: boolean;
}

export interface ReassignOptions {
  /** Who receives the collaborator's clients (a sales collaborator) or events (support). */
  reassignTo?: number;
}

export interface DeletedUser {
  id: number;
  email: string;
  fullName: string;
  department: Department;
  /** Clients that were theirs: moved to reassignTo, or now unassigned. */
  clients: number;
  events: number;
  reassignedTo: number | null;
}

const EMPLOYEE_NUMBER = /^[A-Za-z0-9-]{1,20}$/;
const NEW_FIELDS = ['fullName', 'email', 'department', 'password', 'phone', 'employeeNumber'] as const;
const CHANGE_FIELDS = ['fullName', 'email', 'phone', 'department', 'password'] as const;
const FILTERS = ['department', 'search', 'limit'] as const;

// Validators in the shape of lib/crm/validate.ts, for what only collaborators have.
function department(value: unknown, field: string, problems: Problems): Department | undefined {
  if (isDepartment(value)) return value;
  problems.add(field, `must be one of ${DEPARTMENTS.join(', ')}`);
  return undefined;
}

function employeeNumber(value: unknown, field: string, problems: Problems): string | undefined {
  if (typeof value === 'string' && EMPLOYEE_NUMBER.test(value)) return value;
  problems.add(field, 'must be 1 to 20 letters, digits or dashes');
  return undefined;
}

function password(value: unknown, field: string, problems: Problems): string | undefined {
  const problem = passwordProblem(value);
  if (problem) problems.add(field, problem);
  return problem ? undefined : (value as string);
}

function searchText(value: unknown, field: string, problems: Problems): string | undefined {
  return text(value, field, problems, { max: 200, singleLine: true });
}

/** A collaborator id argument (a number: a string is read as an email by get). */
function userId(value: unknown, field = 'id'): number {
  return validated((p) => (typeof value === 'number' ? recordId(value, field, p) : (p.add(field, 'must be a collaborator id (a number)'), undefined))) as number;
}

function reassignOption(options: unknown): number | undefined {
  return validated((p) => optional(fieldsOf(options, 'options', ['reassignTo'], p), 'reassignTo', p, recordId)) ?? undefined;
}

interface Holdings {
  id: number;
  department: Department;
  clients: number;
  events: number;
}

/**
 * Validate the reassignment target for the records being moved (see the rules
 * at the top) and move them there, or leave them unassigned when there is none.
 */
async function releaseRecords(tx: Executor, from: Holdings, move: { clients: boolean; events: boolean }, reassignTo: number | undefined): Promise<void> {
  const clients = move.clients && from.clients > 0;
  const events = move.events && from.events > 0;
  if (reassignTo !== undefined) {
    if (reassignTo === from.id) throw new ValidationError([{ field: 'reassignTo', problem: 'must be another collaborator' }]);
    const target = await tx.one<{ department: Department }>(q.getUserById, [reassignTo]);
    if (!target) throw new ValidationError([{ field: 'reassignTo', problem: `no collaborator has id ${reassignTo}` }]);
    if (clients && events) {
      throw new ValidationError([{ field: 'reassignTo', problem: `collaborator ${from.id} holds both clients and events, which cannot go to one collaborator; leave them unassigned and assign them afterwards` }]);
    }
    if (clients && target.department !== 'sales') {
      throw new ValidationError([{ field: 'reassignTo', problem: `clients go to a sales collaborator; collaborator ${reassignTo} is in ${target.department}` }]);
    }
    if (events && target.department !== 'support') {
      throw new ValidationError([{ field: 'reassignTo', problem: `events go to a support collaborator; collaborator ${reassignTo} is in ${target.department}` }]);
    }
  }
  const to = reassignTo ?? null;
  if (clients) await tx.exec(q.moveClients, [from.id, to]);
  if (events) await tx.exec(q.moveEvents, [from.id, to]);
}

export function createUsers(deps: ApiDeps) {
  const fetchPage = (department: Department | null, pattern: string | null, limit: number, afterId: number): Promise<Page<UserRecord>> =>
    inSession(deps, async (tx) => {
      const rows = await tx.many<UserRecord>(q.listUsers, [department, pattern, afterId, limit + 1]);
      return makePage('users', rows, limit, (lastId) => fetchPage(department, pattern, limit, lastId));
    }, { readOnly: true });

  const lockHoldings = async (tx: Executor, id: number): Promise<Holdings> => {
    const held = await tx.one<Holdings>(q.lockUserForChange, [id]);
    if (!held) throw new NotFound(`no collaborator has id ${id}`);
    return held;
  };

  return {
    async list(filter: UserListFilter = {}): Promise<Page<UserRecord>> {
      const f = validated((p) => {
        const given = fieldsOf(filter, 'filter', FILTERS, p);
        return { department: optional(given, 'department', p, department), search: optional(given, 'search', p, searchText), limit: pageLimit(given.limit, p) };
      });
      return fetchPage(f.department, f.search ? containsPattern(f.search) : null, f.limit, 0);
    },

    /** By id (a number) or by email (a string with @). */
    async get(idOrEmail: number | string): Promise<UserRecord> {
      if (typeof idOrEmail === 'string' && idOrEmail.includes('@')) {
        const user = await inSession(deps, (tx) => tx.one<UserRecord>(q.getUserByEmail, [idOrEmail.trim()]), { readOnly: true });
        if (!user) throw new NotFound(`no collaborator has email ${idOrEmail.trim()}`);
        return user;
      }
      if (typeof idOrEmail !== 'number') throw new ValidationError([{ field: 'idOrEmail', problem: 'must be a collaborator id (number) or email address' }]);
      const id = userId(idOrEmail, 'idOrEmail');
      const user = await inSession(deps, (tx) => tx.one<UserRecord>(q.getUserById, [id]), { readOnly: true });
      if (!user) throw new NotFound(`no collaborator has id ${id}`);
      return user;
    },

    async create(fields: NewUser): Promise<UserRecord> {
      const f = validated((p) => {
        const given = fieldsOf(fields, 'collaborator', NEW_FIELDS, p);
        if (fields === undefined) p.add('collaborator', `must be an object such as {${NEW_FIELDS.slice(0, 2).join(', ')}}`);
        return {
          fullName: required(given, 'fullName', p, name) as string,
          email: required(given, 'email', p, email) as string,
          department: required(given, 'department', p, department) as Department,
          password: required(given, 'password', p, password) as string,
          phone: optional(given, 'phone', p, phone),
          employeeNumber: optional(given, 'employeeNumber', p, employeeNumber),
        };
      });
      const hash = await hashPassword(f.password, deps.config.bcryptRounds);
      const created = await inSession(deps, (tx) => tx.one<UserRecord>(q.createUser, [
        f.fullName, f.email.toLowerCase(), f.phone, f.department, hash, f.employeeNumber,
      ]));
      if (!created) throw new Error('createUser returned no row');
      deps.monitor.event('collaborator.created', { actorId: deps.actor().id, targetId: created.id, department: created.department });
      return created;
    },

    /** A new password or department bumps the token version (database trigger): their sessions end. */
    async update(id: number, changes: UserChanges, options?: ReassignOptions): Promise<UserRecord> {
      const targetId = userId(id);
      const { c, changed } = validated((p) => {
        const given = fieldsOf(changes, 'changes', CHANGE_FIELDS, p);
        const named = CHANGE_FIELDS.filter((k) => given[k] !== undefined);
        if (!named.length) p.add('changes', `name at least one of ${CHANGE_FIELDS.join(', ')}`);
        return {
          changed: named,
          c: {
            fullName: optional(given, 'fullName', p, name),
            email: optional(given, 'email', p, email),
            // Given as null or '' clears the phone; absent keeps it.
            phone: given.phone === undefined ? undefined : optional(given, 'phone', p, phone),
            department: optional(given, 'department', p, department),
            password: optional(given, 'password', p, password),
          },
        };
      });
      const reassignTo = reassignOption(options);
      const hash = c.password ? await hashPassword(c.password, deps.config.bcryptRounds) : null;
      const updated = await inSession(deps, async (tx) => {
        const held = await lockHoldings(tx, targetId);
        const newDepartment = c.department ?? undefined;
        if (newDepartment && newDepartment !== held.department) {
          if (held.department === 'management' && ((await tx.one<{ n: number }>(q.managementCountOthers, [targetId]))?.n ?? 0) === 0) {
            throw new ValidationError([{ field: 'department', problem: 'cannot change: this is the last management collaborator' }]);
          }
          await releaseRecords(tx, held, { clients: newDepartment !== 'sales', events: newDepartment !== 'support' }, reassignTo);
        } else if (reassignTo !== undefined) {
          throw new ValidationError([{ field: 'reassignTo', problem: 'only applies when the department changes' }]);
        }
        await tx.one(q.updateUser, [
          targetId, c.fullName, c.email?.toLowerCase() ?? null, c.phone !== undefined, c.phone ?? null, newDepartment ?? null,
        ]);
        if (hash) await tx.exec(q.setUserPassword, [targetId, hash]);
        return tx.one<UserRecord>(q.getUserById, [targetId]);
      });
      if (!updated) throw new NotFound(`no collaborator has id ${targetId}`);
      deps.monitor.event('collaborator.updated', { actorId: deps.actor().id, targetId, fields: changed.join(',') });
      return updated;
    },

    async delete(id: number, options?: ReassignOptions): Promise<DeletedUser> {
      const targetId = userId(id);
      const reassignTo = reassignOption(options);
      if (targetId === deps.actor().id) throw new ValidationError([{ field: 'id', problem: 'you cannot delete yourself' }]);
      const deleted = await inSession(deps, async (tx) => {
        const held = await lockHoldings(tx, targetId);
        const record = (await tx.one<UserRecord>(q.getUserById, [targetId])) as UserRecord;
        await releaseRecords(tx, held, { clients: true, events: true }, reassignTo);
        await tx.exec(q.deleteUser, [targetId]);
        return {
          id: targetId, email: record.email, fullName: record.fullName, department: record.department,
          clients: held.clients, events: held.events, reassignedTo: reassignTo ?? null,
        };
      });
      deps.monitor.event('collaborator.deleted', { actorId: deps.actor().id, targetId });
      return deleted;
    },

    /** Who changed this collaborator and when: created, updated, password changed, sessions ended, lockouts. */
    async history(id: number, options?: { limit?: number }) {
      // Collaborators who were deleted keep their history: no existence check here.
      return createHistory(deps).of('user', userId(id), options);
    },

    /** The collaborator's open sessions (the database's list; secrets are never shown). */
    async sessions(id: number): Promise<SessionRecord[]> {
      const targetId = userId(id);
      await this.get(targetId);
      return inSessionStatement<SessionRecord>(deps, aq.userSessions, [targetId], { readOnly: true });
    },

    /** End every session of a collaborator now: their shells stop at the next command. */
    async endSessions(id: number): Promise<{ id: number; ended: number }> {
      const targetId = userId(id);
      await this.get(targetId);
      const [row] = await inSessionStatement<{ ended: number }>(deps, aq.endUserSessions, [targetId]);
      deps.monitor.event('collaborator.sessions_ended', { actorId: deps.actor().id, targetId, ended: row?.ended ?? 0 });
      return { id: targetId, ended: row?.ended ?? 0 };
    },

    /** Lift the lockout that failed logins put on an email. */
    async unlock(address: string): Promise<{ email: string; wasLocked: boolean }> {
      const e = validated((p) => email(address, 'email', p)) as string;
      const [row] = await inSessionStatement<{ unlocked: boolean }>(deps, aq.unlockLogin, [e.toLowerCase()]);
      return { email: e.toLowerCase(), wasLocked: row?.unlocked ?? false };
    },
  };
}

export type Users = ReturnType<typeof createUsers>;
