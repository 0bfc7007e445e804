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
import { createContracts } from './contracts.js';
import { inSession, type ApiDeps } from './deps.js';
import { Problems, recordId } from './validate.js';
import { collaboratorLabel } from './reassign.js';
import type { UserRecord } from './users.js';

const q = queries('users', ['userHoldings', 'getUserById'] as const);

/** The calls that ask first (object.method). */
export const ASKS_FIRST: ReadonlySet<string> = new Set(['users.delete', 'contracts.sign']);

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

  return async (object, method, args) => {
    try {
      switch (`${object}.${method}`) {
        case 'users.delete': return await userDeletion(args);
        case 'contracts.sign': return await contractSigning(args);
        default: return undefined;
      }
    } catch {
      return undefined; // cannot be read: the call itself says why
    }
  };
}
