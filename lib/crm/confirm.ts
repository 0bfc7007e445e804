/**
 * What a call that cannot be undone is about to do, said before an
 * interactive shell asks `y/N` (lib/shell/runtime.ts): deleting a
 * collaborator (who, and where their clients and events go) and signing a
 * contract (which, for whom, the amounts). Read with the caller's session,
 * like any call. Undefined when there is nothing to confirm: another
 * method, arguments the call will refuse anyway, or a record that cannot be
 * read (the call itself then says why).
 */
import { bind, queries } from '../db/sql.js';
import type { Department } from '../domain/departments.js';
import { createClients } from './clients.js';
import { createContracts } from './contracts.js';
import type { HistoryEntry } from './history.js';
import { inSession, type ApiDeps } from './deps.js';
import { Problems, recordId } from './validate.js';
import { collaboratorLabel } from './reassign.js';
import type { UserRecord } from './users.js';

const q = queries('users', ['userHoldings', 'getUserById'] as const);
const hq = queries('history', ['historyEntry'] as const);

/** The calls that ask first (object.method). */
export const ASKS_FIRST: ReadonlySet<string> = new Set(['users.delete', 'contracts.sign', 'clients.erase', 'clients.undoImport']);

/** Which calls ask first, and how each says what will happen. */
export type Confirmations = (object: string, method: string, args: readonly unknown[]) => Promise<string | undefined>;

interface Holdings {
  id: number;
  fullName: string;
  email: string;
  department: Department;
  clients: number;
  events: number;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** The id argument when it is one, else undefined (the call will refuse it). */
function idOf(value: unknown): number | undefined {
  const problems = new Problems();
  const id = recordId(value, 'id', problems);
  return problems.any ? undefined : id;
}

export function createConfirmations(deps: ApiDeps): Confirmations {
  const contracts = createContracts(deps);
  const clients = createClients(deps);

  async function userDeletion(args: readonly unknown[]): Promise<string | undefined> {
    const id = typeof args[0] === 'number' ? idOf(args[0]) : undefined;
    if (id === undefined || id === deps.actor().id) return undefined;
    const options = args[1];
    const reassignTo = typeof options === 'object' && options !== null ? idOf((options as { reassignTo?: unknown }).reassignTo) : undefined;
    const found = await inSession(deps, async (tx) => ({
      user: await tx.one<Holdings>(q.userHoldings, bind(q.userHoldings, { id })),
      receiver: reassignTo === undefined ? undefined : await tx.one<UserRecord>(q.getUserById, [reassignTo]),
    }), { readOnly: true });
    const { user, receiver } = found;
    if (!user) return undefined;
    const held = [user.clients ? plural(user.clients, 'client') : '', user.events ? plural(user.events, 'event') : ''].filter(Boolean).join(' and ');
    const fate = !held ? 'they hold no clients or events.'
      : receiver ? `their ${held} will go to ${collaboratorLabel(receiver)}.`
      : `their ${held} will be left unassigned.`;
    return `Deleting collaborator ${collaboratorLabel(user)}, ${user.department}, ${user.email}: ${fate} This cannot be undone. Delete?`;
  }

  async function contractSigning(args: readonly unknown[]): Promise<string | undefined> {
    const id = idOf(args[0]);
    if (id === undefined) return undefined;
    const contract = await contracts.get(id);
    if (contract.signed) return undefined; // the call says it is already signed
    const sales = contract.salesContactName ? `, sales contact ${contract.salesContactName}` : '';
    return `Signing contract ${contract.id} for ${contract.clientName} (client id ${contract.clientId}${sales}): total ${contract.totalAmount}, due ${contract.amountDue}. A signature cannot be undone. Sign?`;
  }

  async function clientErasure(args: readonly unknown[]): Promise<string | undefined> {
    const id = idOf(args[0]);
    if (id === undefined) return undefined;
    const client = await clients.get(id);
    return `Erasing the personal data of client ${client.id} (${client.fullName}, ${client.email}): name, email, phone and company become a placeholder everywhere, its history included. This cannot be undone. Erase?`;
  }

  async function importUndo(args: readonly unknown[]): Promise<string | undefined> {
    const id = idOf(args[0]);
    return id === undefined ? undefined
      : `Undoing import #${id}: the clients it created go to the trash, those it updated get their values back. Undo?`;
  }

  async function changeUndo(args: readonly unknown[]): Promise<string | undefined> {
    const id = typeof args[0] === 'number' && Number.isSafeInteger(args[0]) && args[0] > 0 ? args[0] : undefined;
    if (id === undefined) return undefined;
    const entry = await inSession(deps, (tx) => tx.one<HistoryEntry>(hq.historyEntry, bind(hq.historyEntry, { id })), { readOnly: true });
    if (!entry) return undefined;
    const what = `${entry.action} ${entry.object} ${entry.recordId} by ${entry.actorName}`;
    const effect = entry.action === 'created' || entry.action === 'imported' || entry.action === 'restored' ? 'it goes to the trash'
      : entry.action === 'deleted' ? 'it comes back from the trash'
      : `${Object.keys(entry.changes ?? {}).join(', ')} get their old values back`;
    return `Undoing history entry #${id} (${what}): ${effect}. Undo?`;
  }

  function trashEmptying(args: readonly unknown[]): string | undefined {
    const olderThan = (args[0] as { olderThan?: unknown } | undefined)?.olderThan;
    return typeof olderThan === 'string' ? `Emptying the trash of what was deleted more than ${olderThan} ago: it is removed for good. Empty?` : undefined;
  }

  return async (object, method, args) => {
    try {
      switch (method ? `${object}.${method}` : object) {
        case 'users.delete': return await userDeletion(args);
        case 'contracts.sign': return await contractSigning(args);
        case 'clients.erase': return await clientErasure(args);
        case 'clients.undoImport': return await importUndo(args);
        case 'undo': return await changeUndo(args);
        case 'trash.empty': return trashEmptying(args);
        default: return undefined;
      }
    } catch {
      return undefined; // cannot be read: the call itself says why
    }
  };
}
