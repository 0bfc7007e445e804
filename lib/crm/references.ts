/**
 * Clients and collaborators by email where their id is asked: a client's for
 * `clients.get`, `update`, `assign`, `history`, `followUp` and a `clientId` key; `events.assign(4,
 * 'kate@epic.events')`, `clients.assign`, `activity({by})`, `reassignTo`, and
 * the id of `users.update`, `users.delete`, `users.history`,
 * `users.endSessions`; `users.unlock` takes an id as well as an email. Read
 * under the caller's session before the arguments are checked (the pipeline's
 * step 2, lib/crm/invoke.ts), so an unknown email is a ValidationError naming
 * the argument and nothing is asked or changed.
 */
import { queries } from '../db/sql.js';
import { ValidationError, type FieldProblem } from '../domain/errors.js';
import { inSession, readOnlyDeps, type ApiDeps } from './deps.js';

const q = queries('users', ['findUserIdByEmail', 'getUserById'] as const);
const cq = queries('clients', ['findClientIdByEmail'] as const);

/** An argument that names a collaborator: its position, the key inside it when it is an options object, and its name in errors. */
interface Place {
  arg: number;
  key?: string;
  field: string;
  /** A client's email rather than a collaborator's. */
  client?: true;
}

const ID = (field = 'id'): Place => ({ arg: 0, field });

/** Where each method takes a collaborator's id (an email is read as theirs). */
export const COLLABORATOR_PLACES: Readonly<Record<string, readonly Place[]>> = {
  'events.assign': [{ arg: 1, field: 'supportUserId' }],
  'clients.assign': [{ arg: 1, field: 'salesUserId' }],
  activity: [{ arg: 0, key: 'by', field: 'by' }],
  'users.history': [ID()],
  'users.endSessions': [ID()],
  'users.update': [ID(), { arg: 2, key: 'reassignTo', field: 'reassignTo' }],
  'users.delete': [ID(), { arg: 1, key: 'reassignTo', field: 'reassignTo' }],
};

const CLIENT_ID: Place = { arg: 0, field: 'id', client: true };
const CLIENT_KEY = (arg: number): Place => ({ arg, key: 'clientId', field: 'clientId', client: true });

/** Where each method takes a client's id. */
export const CLIENT_PLACES: Readonly<Record<string, readonly Place[]>> = {
  'clients.get': [CLIENT_ID], 'clients.update': [CLIENT_ID], 'clients.history': [CLIENT_ID], 'clients.followUp': [CLIENT_ID],
  'clients.assign': [CLIENT_ID], 'contracts.create': [CLIENT_KEY(0)], 'contracts.list': [CLIENT_KEY(0)], 'contracts.count': [CLIENT_KEY(0)],
  'followUps.list': [CLIENT_KEY(0)],
};

const isEmail = (v: unknown): v is string => typeof v === 'string' && v.includes('@');
const isId = (v: unknown): v is number | string => (typeof v === 'number' && Number.isInteger(v) && v > 0) || (typeof v === 'string' && /^\s*\d{1,10}\s*$/.test(v));

function valueAt(args: readonly unknown[], place: Place): unknown {
  const arg = args[place.arg];
  if (place.key === undefined) return arg;
  return typeof arg === 'object' && arg !== null ? (arg as Record<string, unknown>)[place.key] : undefined;
}

function withValue(args: unknown[], place: Place, value: unknown): void {
  if (place.key === undefined) args[place.arg] = value;
  else args[place.arg] = { ...(args[place.arg] as object), [place.key]: value };
}

/** The call's arguments with each collaborator's email as their id (users.unlock: an id as the email); the same array when there is none. */
export async function resolveReferences(deps: ApiDeps, name: string, args: readonly unknown[]): Promise<readonly unknown[]> {
  const unlockById = name === 'users.unlock' && isId(args[0]);
  const places = [...(CLIENT_PLACES[name] ?? []), ...(COLLABORATOR_PLACES[name] ?? [])].filter((p) => isEmail(valueAt(args, p)));
  if (!unlockById && places.length === 0) return args;
  const out = [...args];
  const problems: FieldProblem[] = [];
  await inSession(readOnlyDeps(deps), async (tx) => {
    if (unlockById) {
      const user = await tx.one<{ email: string }>(q.getUserById, [Number(args[0])]);
      if (user) out[0] = user.email;
      else problems.push({ field: 'email', problem: `names no collaborator: no collaborator has the id ${Number(args[0])}` });
    }
    for (const place of places) {
      const email = valueAt(args, place) as string;
      const row = await tx.one<{ id: number }>(place.client ? cq.findClientIdByEmail : q.findUserIdByEmail, [email.trim()]);
      const who = place.client ? 'client' : 'collaborator';
      if (row) withValue(out, place, row.id);
      else problems.push({ field: place.field, problem: `names no ${who}: no ${who} you may see has the email ${JSON.stringify(email.slice(0, 80))}` });
    }
  }, { readOnly: true });
  if (problems.length) throw new ValidationError(problems);
  return out;
}
