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
import { NotFound, ValidationError, type FieldProblem } from '../errors.js';
import { isDepartment, type Department, DEPARTMENTS } from '../permissions.js';
import { hashPassword, passwordProblem } from '../auth/passwords.js';
import { inSession, type ApiDeps } from './deps.js';
import { makePage, pageSize, type Page } from './page.js';
import { Problems, containsPattern, email as sharedEmail, isPlainObject, name as sharedName, phone as sharedPhone, text } from './validate.js';

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

type Checker = (value: unknown) => string | undefined;

/** A shared validator (lib/crm/validate.ts) as a Checker: its first problem, if any. */
function shared(validate: (value: unknown, field: string, problems: Problems) => unknown): Checker {
  return (v) => {
    const problems = new Problems();
    validate(v, 'value', problems);
    return problems.list[0]?.problem;
  };
}
const checkFullName = shared(sharedName);
const checkEmail = shared(sharedEmail);
const checkPhone = shared(sharedPhone);
const checkSearch = shared((v, field, problems) => text(v, field, problems, { max: 200, singleLine: true }));
const checkDepartment: Checker = (v) => (isDepartment(v) ? undefined : `must be one of ${DEPARTMENTS.join(', ')}`);
const checkEmployeeNumber: Checker = (v) => (typeof v === 'string' && EMPLOYEE_NUMBER.test(v) ? undefined : 'must be 1 to 20 letters, digits or dashes');

/**
 * Check an argument object against its field table, collecting every problem:
 * unknown keys (a typo must not be ignored), missing required fields, bad values.
 */
function checkFields(arg: unknown, label: string, fields: Record<string, { check: Checker; required?: boolean }>): Record<string, unknown> {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg) || !isPlainObject(arg)) {
    throw new ValidationError([{ field: label, problem: `must be an object like {${Object.keys(fields).join(', ')}}` }]);
  }
  const obj = arg as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(obj)) {
    if (!Object.prototype.hasOwnProperty.call(fields, key)) problems.push({ field: key, problem: `is not a field here (expected one of ${Object.keys(fields).join(', ')})` });
  }
  for (const [key, spec] of Object.entries(fields)) {
    const value = obj[key];
    if (value === undefined) {
      if (spec.required) problems.push({ field: key, problem: 'is required' });
      continue;
    }
    const problem = spec.check(value);
    if (problem) problems.push({ field: key, problem });
  }
  if (problems.length) throw new ValidationError(problems);
  return obj;
}

function checkId(value: unknown, field = 'id'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2_147_483_647) {
    throw new ValidationError([{ field, problem: 'must be a positive whole number (a collaborator id)' }]);
  }
  return value;
}

function reassignOption(options: unknown): number | undefined {
  if (options === undefined) return undefined;
  const checked = checkFields(options, 'options', { reassignTo: { check: (v) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? undefined : 'must be a collaborator id') } });
  return checked.reassignTo as number | undefined;
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
      const f = checkFields(filter, 'filter', {
        department: { check: checkDepartment },
        search: { check: checkSearch },
        limit: { check: (v) => { try { pageSize(v); return undefined; } catch (err) { return (err as ValidationError).problems[0].problem; } } },
      });
      const search = typeof f.search === 'string' && f.search.trim() ? containsPattern(f.search.trim()) : null;
      return fetchPage((f.department as Department | undefined) ?? null, search, pageSize(f.limit), 0);
    },

    /** By id (a number) or by email (a string with @). */
    async get(idOrEmail: number | string): Promise<UserRecord> {
      if (typeof idOrEmail === 'string' && idOrEmail.includes('@')) {
        const user = await inSession(deps, (tx) => tx.one<UserRecord>(q.getUserByEmail, [idOrEmail.trim()]), { readOnly: true });
        if (!user) throw new NotFound(`no collaborator has email ${idOrEmail.trim()}`);
        return user;
      }
      if (typeof idOrEmail !== 'number') throw new ValidationError([{ field: 'idOrEmail', problem: 'must be a collaborator id (number) or email address' }]);
      const id = checkId(idOrEmail, 'idOrEmail');
      const user = await inSession(deps, (tx) => tx.one<UserRecord>(q.getUserById, [id]), { readOnly: true });
      if (!user) throw new NotFound(`no collaborator has id ${id}`);
      return user;
    },

    async create(fields: NewUser): Promise<UserRecord> {
      const f = checkFields(fields, 'collaborator', {
        fullName: { check: checkFullName, required: true },
        email: { check: checkEmail, required: true },
        department: { check: checkDepartment, required: true },
        password: { check: passwordProblem, required: true },
        phone: { check: checkPhone },
        employeeNumber: { check: checkEmployeeNumber },
      });
      const hash = await hashPassword(f.password as string, deps.config.bcryptRounds);
      const phone = typeof f.phone === 'string' && f.phone.trim() ? f.phone.trim() : null;
      const created = await inSession(deps, (tx) => tx.one<UserRecord>(q.createUser, [
        (f.fullName as string).trim(), (f.email as string).trim().toLowerCase(), phone, f.department, hash, f.employeeNumber ?? null,
      ]));
      if (!created) throw new Error('createUser returned no row');
      deps.monitor.event('collaborator.created', { actorId: deps.actor().id, targetId: created.id, department: created.department });
      return created;
    },

    /** A new password or department bumps the token version (database trigger): their sessions end. */
    async update(id: number, changes: UserChanges, options?: ReassignOptions): Promise<UserRecord> {
      const userId = checkId(id);
      const c = checkFields(changes, 'changes', {
        fullName: { check: checkFullName },
        email: { check: checkEmail },
        phone: { check: checkPhone },
        department: { check: checkDepartment },
        password: { check: passwordProblem },
      });
      const reassignTo = reassignOption(options);
      const changed = Object.keys(c).filter((k) => c[k] !== undefined);
      if (!changed.length) throw new ValidationError([{ field: 'changes', problem: 'name at least one of fullName, email, phone, department, password' }]);
      const hash = typeof c.password === 'string' ? await hashPassword(c.password, deps.config.bcryptRounds) : null;
      const updated = await inSession(deps, async (tx) => {
        const held = await lockHoldings(tx, userId);
        const newDepartment = c.department as Department | undefined;
        if (newDepartment && newDepartment !== held.department) {
          if (held.department === 'management' && ((await tx.one<{ n: number }>(q.managementCountOthers, [userId]))?.n ?? 0) === 0) {
            throw new ValidationError([{ field: 'department', problem: 'cannot change: this is the last management collaborator' }]);
          }
          await releaseRecords(tx, held, { clients: newDepartment !== 'sales', events: newDepartment !== 'support' }, reassignTo);
        } else if (reassignTo !== undefined) {
          throw new ValidationError([{ field: 'reassignTo', problem: 'only applies when the department changes' }]);
        }
        const phone = typeof c.phone === 'string' ? c.phone.trim() || null : null;
        await tx.one(q.updateUser, [
          userId, typeof c.fullName === 'string' ? c.fullName.trim() : null, typeof c.email === 'string' ? c.email.trim().toLowerCase() : null,
          c.phone !== undefined, phone, newDepartment ?? null,
        ]);
        if (hash) await tx.exec(q.setUserPassword, [userId, hash]);
        return tx.one<UserRecord>(q.getUserById, [userId]);
      });
      if (!updated) throw new NotFound(`no collaborator has id ${userId}`);
      deps.monitor.event('collaborator.updated', { actorId: deps.actor().id, targetId: userId, fields: changed.join(',') });
      return updated;
    },

    async delete(id: number, options?: ReassignOptions): Promise<DeletedUser> {
      const userId = checkId(id);
      const reassignTo = reassignOption(options);
      if (userId === deps.actor().id) throw new ValidationError([{ field: 'id', problem: 'you cannot delete yourself' }]);
      const deleted = await inSession(deps, async (tx) => {
        const held = await lockHoldings(tx, userId);
        const record = (await tx.one<UserRecord>(q.getUserById, [userId])) as UserRecord;
        await releaseRecords(tx, held, { clients: true, events: true }, reassignTo);
        await tx.exec(q.deleteUser, [userId]);
        return {
          id: userId, email: record.email, fullName: record.fullName, department: record.department,
          clients: held.clients, events: held.events, reassignedTo: reassignTo ?? null,
        };
      });
      deps.monitor.event('collaborator.deleted', { actorId: deps.actor().id, targetId: userId });
      return deleted;
    },
  };
}

export type Users = ReturnType<typeof createUsers>;
