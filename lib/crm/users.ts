/**
 * Collaborators (`users` in the shell; management only, enforced by the call
 * pipeline from USERS below, lib/crm/invoke.ts). Records never carry the password hash: every query
 * here selects named columns without it (sql/users.sql); only sql/auth.sql reads it.
 *
 * Clients and events are never lost with their collaborator:
 * - `delete(id, {reassignTo})` moves the collaborator's clients and events to
 *   reassignTo; `{unassign: true}` leaves them unassigned (they show in
 *   `unassigned` filters); asked neither, the deletion of someone who holds
 *   any is refused and nothing changes (lib/crm/reassign.ts).
 * - A department change releases what no longer fits the new department in the same
 *   way (a former salesperson keeps no clients, a former support collaborator no
 *   events), to `update(id, changes, {reassignTo})` or unassigned.
 * - The target must fit what it receives: clients go to a sales collaborator,
 *   events to a support collaborator. Someone holding both kinds at once cannot be
 *   reassigned to a single target (leave them unassigned, then assign each).
 * Nobody may delete themselves, and the last management collaborator may not
 * leave management: someone must be able to manage collaborators.
 */
import { NotFound, ValidationError } from '../domain/errors.js';
import { hashPassword } from '../auth/passwords.js';
import { bind, queries } from '../db/sql.js';
import { fields, may, method, need, value, type ObjectDescription, type Values, arrayOf, one, pageOf, typed } from './describe.js';
import { COLLABORATOR, DELETED_USER, SESSION, SESSIONS_ENDED, UNLOCKED, UPDATED_COLLABORATOR, type DeletedUser, type SessionRecord, type UpdatedUser, type UserRecord } from './user-records.js';
import { inSession, inSessionStatement, type ApiDeps } from './deps.js';
import { createHistory, historyDescription } from './history.js';
import { DEFAULT_PAGE_SIZE, type Page } from './page.js';
import { collaboratorLabel, lockHoldings, releaseRecords, type Moved } from './reassign.js';
import { BY_ID, keysetPage, sortField, sortHelp } from './sort.js';
import { email, flag, name, phone, recordId } from './validate.js';
import { department, employeeNumber, idOrEmail, password, userId } from './user-fields.js';
import { searchWords, pageLimitField } from './list-filters.js';

const aq = queries('auth', ['userSessions', 'endUserSessions', 'unlockLogin'] as const);
const q = queries('users', [
  'createUser', 'getUserById', 'getUserByEmail', 'listUsers', 'countUsers', 'lockUserForChange', 'managementCountOthers',
  'updateUser', 'setUserPassword', 'moveClients', 'moveEvents', 'deleteUser',
] as const);

const REASSIGN = fields('options', { reassignTo: may(recordId), unassign: may(flag) }, { optional: true });
const MANAGEMENT = ['management'] as const;

/** What collaborators sort by (a small table: no index needed). */
export const USER_SORT = { fullName: 'full_name', email: 'email', employeeNumber: 'employee_number', createdAt: 'created_at', id: 'id' } as const;

/** The filters of users.list and users.count. */
const USER_FILTERS = { department: may(department), search: may(searchWords) };

/** The users methods (management only): arguments and help (lib/crm/describe.ts). */
export const USERS = {
  list: method({
    returns: pageOf(COLLABORATOR), departments: MANAGEMENT, writes: false,
    args: [fields('filter', { ...USER_FILTERS, sort: may(sortField(USER_SORT)), limit: may(pageLimitField) }, { optional: true })],
    description: `collaborators, a page at a time (search: every word in name, email, employee number or phone; ${sortHelp(USER_SORT)})`,
    example: "users.list({department: 'support', sort: 'fullName'})",
  }),
  count: method({
    returns: typed('number'), departments: MANAGEMENT, writes: false, args: [fields('filter', USER_FILTERS, { optional: true })],
    description: 'how many collaborators users.list lists with these filters', example: "users.count({department: 'sales'})",
  }),
  get: method({ returns: one(COLLABORATOR), departments: MANAGEMENT, writes: false, args: [value('idOrEmail', idOrEmail)], description: 'one collaborator', example: "users.get('kate@epic.events')" }),
  create: method({
    returns: one(COLLABORATOR), departments: MANAGEMENT, writes: true,
    args: [fields('collaborator', {
      fullName: need(name), email: need(email), department: need(department), password: need(password), phone: may(phone), employeeNumber: may(employeeNumber),
    })],
    description: 'a new collaborator (they replace the password given at their first login)', example: "users.create({fullName: 'Kate Hastroff', email: 'kate@epic.events', department: 'support', password: passwordPrompt()})",
  }),
  update: method({
    returns: one(UPDATED_COLLABORATOR), departments: MANAGEMENT, writes: true,
    args: [value('id', userId), fields('changes', { fullName: may(name), email: may(email), phone: may(phone), department: may(department), password: may(password) }, { atLeastOne: true }), REASSIGN],
    description: 'change a collaborator (a new password or department ends their sessions, and a password set here must be replaced at their next login; leaving sales or support needs {reassignTo} or {unassign: true} for what they hold)',
    example: "users.update(3, {department: 'support'}, {reassignTo: 4})",
  }),
  delete: method({
    returns: one(DELETED_USER), departments: MANAGEMENT, writes: true, confirm: true, args: [value('id', userId), REASSIGN],
    description: 'remove a collaborator; their clients or events go to reassignTo, or are left unassigned with {unassign: true}', example: 'users.delete(3, {reassignTo: 4})',
  }),
  sessions: method({
    returns: arrayOf(SESSION), departments: MANAGEMENT, writes: false, args: [value('id', userId)],
    description: "a collaborator's open sessions (when each began and ends)", example: 'users.sessions(3)',
  }),
  endSessions: method({
    returns: one(SESSIONS_ENDED), departments: MANAGEMENT, writes: true, args: [value('id', userId)],
    description: 'end every session of a collaborator now (they must log in again)', example: 'users.endSessions(3)',
  }),
  unlock: method({
    returns: one(UNLOCKED), departments: MANAGEMENT, writes: true, args: [value('email', email)],
    description: 'lift the lockout that failed logins put on an email', example: "users.unlock('kate@epic.events')",
  }),
  history: method({ ...historyDescription('user', MANAGEMENT), args: [value('id', userId), fields('options', { limit: may(pageLimitField) }, { optional: true })] }),
} satisfies ObjectDescription;

export function createUsers(deps: ApiDeps) {
  const getById = async (id: number): Promise<UserRecord> => {
    const user = await inSession(deps, (tx) => tx.one<UserRecord>(q.getUserById, bind(q.getUserById, { id })));
    if (!user) throw new NotFound(`no collaborator has id ${id}`);
    return user;
  };

  return {
    async list(f: Values<typeof USERS.list>[0]): Promise<Page<UserRecord>> {
      const params = { department: f.department ?? null, words: f.search ?? null };
      return keysetPage<UserRecord>(deps, 'users', q.listUsers, f.sort ?? BY_ID, f.limit ?? DEFAULT_PAGE_SIZE, (k) => bind(q.listUsers, { ...params, ...k }));
    },

    async count(f: Values<typeof USERS.count>[0]): Promise<number> {
      const row = await inSession(deps, (tx) => tx.one<{ count: number }>(q.countUsers, bind(q.countUsers, { department: f.department ?? null, words: f.search ?? null })));
      return (row as { count: number }).count;
    },

    /** By id (a number) or by email (a string with @). */
    async get(key: number | string): Promise<UserRecord> {
      if (typeof key === 'number') return getById(key);
      const user = await inSession(deps, (tx) => tx.one<UserRecord>(q.getUserByEmail, bind(q.getUserByEmail, { email: key })));
      if (!user) throw new NotFound(`no collaborator has email ${key}`);
      return user;
    },

    async create(f: Values<typeof USERS.create>[0]): Promise<UserRecord> {
      const passwordHash = await hashPassword(f.password, deps.config.bcryptRounds);
      const created = await inSession(deps, (tx) => tx.one<UserRecord>(q.createUser, bind(q.createUser, {
        fullName: f.fullName, email: f.email.toLowerCase(), phone: f.phone, department: f.department, passwordHash, employeeNumber: f.employeeNumber,
      })));
      if (!created) throw new Error('createUser returned no row');
      deps.monitor.event('collaborator.created', { actorId: deps.actor().id, targetId: created.id, department: created.department });
      return created;
    },

    /** A new password or department bumps the token version (database trigger): their sessions end. */
    async update(targetId: number, c: Values<typeof USERS.update>[1], reassign: Values<typeof USERS.update>[2]): Promise<UpdatedUser> {
      const changed = Object.keys(c).filter((k) => c[k as keyof typeof c] !== undefined);
      const passwordHash = c.password ? await hashPassword(c.password, deps.config.bcryptRounds) : null;
      const updated = await inSession(deps, async (tx) => {
        const held = await lockHoldings(tx, targetId);
        const newDepartment = c.department;
        let moved: Moved | undefined;
        if (newDepartment && newDepartment !== held.department) {
          if (held.department === 'management' && ((await tx.one<{ n: number }>(q.managementCountOthers, bind(q.managementCountOthers, { id: targetId })))?.n ?? 0) === 0) {
            throw new ValidationError([{ field: 'department', problem: 'cannot change: this is the last management collaborator' }]);
          }
          moved = await releaseRecords(tx, held, { clients: newDepartment !== 'sales', events: newDepartment !== 'support' }, reassign);
        } else if (reassign.reassignTo !== undefined || reassign.unassign !== undefined) {
          throw new ValidationError([{ field: reassign.reassignTo !== undefined ? 'reassignTo' : 'unassign', problem: 'only applies when the department changes' }]);
        }
        // The record as the update left it (sql/users.sql updateUser): the password's own
        // update below writes no column of it but updated_at, to the same now().
        const record = await tx.one<UserRecord>(q.updateUser, bind(q.updateUser, {
          // Given as null or '' clears the phone; absent keeps it.
          id: targetId, fullName: c.fullName, email: c.email?.toLowerCase(), phoneGiven: c.phone !== undefined, phone: c.phone, department: newDepartment,
        }));
        if (passwordHash) await tx.exec(q.setUserPassword, bind(q.setUserPassword, { id: targetId, passwordHash }));
        return record && (moved ? { ...record, moved } : record);
      });
      if (!updated) throw new NotFound(`no collaborator has id ${targetId}`);
      deps.monitor.event('collaborator.updated', { actorId: deps.actor().id, targetId, fields: changed.join(',') });
      return updated;
    },

    async delete(targetId: number, reassign: Values<typeof USERS.delete>[1]): Promise<DeletedUser> {
      if (targetId === deps.actor().id) {
        throw new ValidationError([{ field: 'id', problem: `${targetId} is you (${deps.actor().fullName}): nobody may delete themselves; another management collaborator can` }]);
      }
      const deleted = await inSession(deps, async (tx) => {
        const held = await lockHoldings(tx, targetId);
        const record = (await tx.one<UserRecord>(q.getUserById, bind(q.getUserById, { id: targetId }))) as UserRecord;
        const moved = await releaseRecords(tx, held, { clients: true, events: true }, reassign);
        await tx.exec(q.deleteUser, bind(q.deleteUser, { id: targetId }));
        return {
          id: targetId, email: record.email, fullName: record.fullName, department: record.department,
          clients: moved.clients, events: moved.events, reassignedTo: moved.to ? collaboratorLabel(moved.to) : null,
        };
      });
      deps.monitor.event('collaborator.deleted', { actorId: deps.actor().id, targetId });
      return deleted;
    },

    /** Who changed this collaborator and when: created, updated, password changed, sessions ended, lockouts. */
    async history(targetId: number, options: Values<typeof USERS.history>[1]) {
      // Collaborators who were deleted keep their history: no existence check here.
      return createHistory(deps).of('user', targetId, options);
    },

    /** The collaborator's open sessions (the database's list; secrets are never shown). */
    async sessions(targetId: number): Promise<SessionRecord[]> {
      await getById(targetId);
      return inSessionStatement<SessionRecord>(deps, aq.userSessions, [targetId]);
    },

    /** End every session of a collaborator now: their shells stop at the next command. */
    async endSessions(targetId: number): Promise<{ id: number; ended: number }> {
      await getById(targetId);
      const [row] = await inSessionStatement<{ ended: number }>(deps, aq.endUserSessions, [targetId]);
      deps.monitor.event('collaborator.sessions_ended', { actorId: deps.actor().id, targetId, ended: row?.ended ?? 0 });
      return { id: targetId, ended: row?.ended ?? 0 };
    },

    /** Lift the lockout that failed logins put on an email. */
    async unlock(e: string): Promise<{ email: string; wasLocked: boolean }> {
      const [row] = await inSessionStatement<{ unlocked: boolean }>(deps, aq.unlockLogin, [e.toLowerCase()]);
      return { email: e.toLowerCase(), wasLocked: row?.unlocked ?? false };
    },
  };
}

export type Users = ReturnType<typeof createUsers>;
