/**
 * What a call that cannot be undone is about to do, said before an
 * interactive shell asks `y/N` (lib/crm/invoke.ts asks for the methods whose
 * description says `confirm: true`): deleting a collaborator (who, and where
 * their clients and events go) and signing a contract (which, for whom, the
 * amounts). Read with the caller's session, read-only, on the arguments as
 * the call read them. Undefined when there is nothing to confirm: a record
 * that cannot be read or a call that will refuse anyway (the call itself
 * then says why).
 */
import { bind, queries } from '../db/sql.js';
import type { Department } from '../domain/departments.js';
import type { Clients } from './clients.js';
import type { Contracts } from './contracts.js';
import type { HistoryEntry } from './history.js';
import { inSession, type ApiDeps } from './deps.js';
import type { Questions } from './invoke.js';
import { checkRelease, collaboratorLabel, type ReassignOptions } from './reassign.js';
import { ValidationError } from '../domain/errors.js';
import type { UserRecord } from './user-records.js';

const q = queries('users', ['userHoldings', 'getUserById'] as const);
const hq = queries('history', ['historyEntry'] as const);

interface Holdings {
  id: number;
  fullName: string;
  email: string;
  department: Department;
  clients: number;
  events: number;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** The question of each method that asks first, by the name it is called by; `deps` read-only. */
export function createConfirmations(deps: ApiDeps, contracts: Pick<Contracts, 'get'>, clients: Pick<Clients, 'get'>): Questions {
  async function userDeletion([id, options]: readonly unknown[]): Promise<string | undefined> {
    if (id === deps.actor().id) return undefined; // refused by the call at once: nobody deletes themselves
    const reassignTo = (options as { reassignTo?: number }).reassignTo;
    const found = await inSession(deps, async (tx) => ({
      user: await tx.one<Holdings>(q.userHoldings, bind(q.userHoldings, { id })),
      receiver: reassignTo === undefined ? undefined : await tx.one<UserRecord>(q.getUserById, bind(q.getUserById, { id: reassignTo })),
    }));
    const { user, receiver } = found;
    if (!user) return undefined;
    // A deletion that will be refused is refused before anything is asked.
    checkRelease(user, { clients: true, events: true }, options as ReassignOptions, receiver ?? null);
    const held = [user.clients ? plural(user.clients, 'client') : '', user.events ? plural(user.events, 'event') : ''].filter(Boolean).join(' and ');
    const fate = !held ? 'they hold no clients or events.'
      : receiver ? `their ${held} will go to ${collaboratorLabel(receiver)}.`
      : `their ${held} will be left unassigned.`;
    return `Deleting collaborator ${collaboratorLabel(user)}, ${user.department}, ${user.email}: ${fate} This cannot be undone. Delete?`;
  }

  async function contractSigning([id]: readonly unknown[]): Promise<string | undefined> {
    const contract = await contracts.get(id as number);
    if (contract.signed) return undefined; // the call says it is already signed
    const sales = contract.salesContactName ? `, sales contact ${contract.salesContactName}` : '';
    return `Signing contract ${contract.id} for ${contract.clientName} (client id ${contract.clientId}${sales}): total ${contract.totalAmount}, due ${contract.amountDue}. A signature cannot be undone. Sign?`;
  }

  async function clientErasure([id]: readonly unknown[]): Promise<string | undefined> {
    const client = await clients.get(id as number);
    return `Erasing the personal data of client ${client.id} (${client.fullName}, ${client.email}): name, email, phone and company become a placeholder everywhere, its history included. This cannot be undone. Erase?`;
  }

  async function importUndo([id]: readonly unknown[]): Promise<string | undefined> {
    return `Undoing import #${String(id)}: the clients it created go to the trash, those it updated get their values back. Undo?`;
  }

  async function changeUndo([id]: readonly unknown[]): Promise<string | undefined> {
    const entry = await inSession(deps, (tx) => tx.one<HistoryEntry>(hq.historyEntry, bind(hq.historyEntry, { id })));
    if (!entry) return undefined;
    const what = `${entry.action} ${entry.object} ${entry.recordId} by ${entry.actorName}`;
    const effect = entry.action === 'created' || entry.action === 'imported' || entry.action === 'restored' ? 'it goes to the trash'
      : entry.action === 'deleted' ? 'it comes back from the trash'
      : `${Object.keys(entry.changes ?? {}).join(', ')} get their old values back`;
    return `Undoing history entry #${String(id)} (${what}): ${effect}. Undo?`;
  }

  /** olderThan as the call read it, an interval ('30 days'). */
  async function trashEmptying([options]: readonly unknown[]): Promise<string | undefined> {
    const olderThan = (options as { olderThan: string }).olderThan;
    return `Emptying the trash of what was deleted more than ${olderThan} ago: it is removed for good. Empty?`;
  }

  /** A question that cannot be read asks nothing: the call itself says why; a refusal the question found is thrown before asking. */
  const quietly = (ask: (values: readonly unknown[]) => Promise<string | undefined>) => (values: readonly unknown[]) => ask(values).catch((err: unknown) => {
    if (err instanceof ValidationError) throw err;
    return undefined;
  });
  return new Map([
    ['users.delete', quietly(userDeletion)],
    ['contracts.sign', quietly(contractSigning)],
    ['clients.erase', quietly(clientErasure)],
    ['clients.undoImport', quietly(importUndo)],
    ['undo', quietly(changeUndo)],
    ['trash.empty', quietly(trashEmptying)],
  ]);
}
