/**
 * clients: list/get for everyone, create for sales (the caller becomes the
 * sales contact), update for sales on their own clients only. The department
 * check is the guard's (lib/crm/guard.ts); ownership is checked here, against
 * the locked row, inside the write's transaction.
 */
import { queries } from '../db/sql.js';
import { NotFound, PermissionDenied } from '../errors.js';
import { historyMethod } from './history.js';
import { inSession, inSessionStatement, missingOrRefused, recordById, type ApiDeps } from './deps.js';
import { makePage, type Page } from './page.js';
import {
  containsPattern, email, fieldsOf, flag, idArgument, name, optional, optionalName, pageLimit, phone, recordId, required, text, validated,
} from './validate.js';

const q = queries('clients', ['getClient', 'listClients', 'searchClients', 'createClient', 'lockClient', 'peekClient', 'updateClient'] as const);

export interface Client {
  id: number;
  fullName: string;
  email: string;
  phone: string | null;
  companyName: string | null;
  salesContactId: number | null;
  salesContactName: string | null;
  /** First contact. */
  createdAt: Date;
  /** Last update/contact. */
  updatedAt: Date;
}

export interface ClientFilters {
  mine?: boolean;
  search?: string;
  salesContactId?: number;
  unassigned?: boolean;
  limit?: number;
}

export interface NewClient {
  fullName: string;
  email: string;
  phone?: string | null;
  companyName?: string | null;
}

export type ClientChanges = Partial<NewClient>;

/** The client as an update checks it: its fields and the sales contact's email (for the refusal message). */
type LockedClient = Omit<Client, 'salesContactName' | 'createdAt' | 'updatedAt'> & { salesContactEmail: string | null };

const FILTERS = ['mine', 'search', 'salesContactId', 'unassigned', 'limit'] as const;
const FIELDS = ['fullName', 'email', 'phone', 'companyName'] as const;
const CHANGE_HINTS = { salesContactId: 'cannot be changed here (the sales contact is whoever created the client; users.delete reassigns)' };

export function createClients(deps: ApiDeps) {
  function get(id: number): Promise<Client> {
    return recordById<Client>(deps, q.getClient, id, 'client');
  }

  async function list(filters?: ClientFilters): Promise<Page<Client>> {
    const actor = deps.actor();
    const params = validated((p) => {
      const f = fieldsOf(filters, 'filters', FILTERS, p);
      const mine = optional(f, 'mine', p, flag);
      let salesContactId = optional(f, 'salesContactId', p, recordId);
      if (mine) {
        if (salesContactId !== null && salesContactId !== actor.id) p.add('salesContactId', 'contradicts mine: true (which means your own clients)');
        salesContactId = actor.id;
      }
      const search = optional(f, 'search', p, (v, field, pr) => text(v, field, pr, { max: 200, singleLine: true }));
      return {
        limit: pageLimit(f.limit, p),
        salesContactId,
        unassigned: optional(f, 'unassigned', p, flag),
        pattern: search ? containsPattern(search) : null,
        // Trigram indexes need 3 characters to narrow anything down.
        indexedSearch: search !== undefined && search !== null && [...search].length >= 3,
      };
    });
    const query = params.indexedSearch ? q.searchClients : q.listClients;
    const fetchAfter = async (afterId: number): Promise<Page<Client>> => {
      const rows = await inSession(deps, (tx) => tx.many<Client>(query, [afterId, params.limit + 1, params.salesContactId, params.unassigned, params.pattern]), { readOnly: true });
      return makePage('clients', rows, params.limit, fetchAfter);
    };
    return fetchAfter(0);
  }

  async function create(fields: NewClient): Promise<Client> {
    const actor = deps.actor();
    const values = validated((p) => {
      const f = fieldsOf(fields, 'client', FIELDS, p, { salesContactId: 'cannot be given: you become the sales contact of the clients you create' });
      return [
        required(f, 'fullName', p, name),
        required(f, 'email', p, email),
        optional(f, 'phone', p, phone),
        optional(f, 'companyName', p, optionalName),
      ];
    });
    // One statement inserts and returns the record: one round trip per created client.
    const [row] = await inSessionStatement<Client>(deps, q.createClient, [...values, actor.id]);
    return row;
  }

  async function update(id: number, changes: ClientChanges): Promise<Client> {
    const actor = deps.actor();
    const clientId = idArgument(id, 'id');
    const next = validated((p) => {
      const f = fieldsOf(changes, 'changes', FIELDS, p, CHANGE_HINTS);
      if (Object.keys(f).length === 0) p.add('changes', `must name at least one field to change (${FIELDS.join(', ')})`);
      return {
        fullName: f.fullName === undefined ? undefined : name(f.fullName, 'fullName', p),
        email: f.email === undefined ? undefined : email(f.email, 'email', p),
        phone: f.phone === undefined ? undefined : phone(f.phone, 'phone', p),
        companyName: f.companyName === undefined ? undefined : optionalName(f.companyName, 'companyName', p),
      };
    });
    await inSession(deps, async (tx) => {
      const current = (await tx.one<LockedClient>(q.lockClient, [clientId]))
        ?? (await missingOrRefused<LockedClient>(tx, q.peekClient, clientId, () => new NotFound(`no client ${clientId}`), (row) => assertCanUpdateClient(actor.department, actor.id, row)));
      assertCanUpdateClient(actor.department, actor.id, current);
      await tx.exec(q.updateClient, [
        clientId,
        next.fullName ?? current.fullName,
        next.email ?? current.email,
        next.phone === undefined ? current.phone : next.phone,
        next.companyName === undefined ? current.companyName : next.companyName,
      ]);
    });
    return get(clientId);
  }

  /** Who changed this client and when (sql/migrations/007_change_log.sql). */
  const history = historyMethod(deps, 'client', get);

  return { list, get, create, update, history };
}

export type Clients = ReturnType<typeof createClients>;

/** Sales may update only the clients whose sales contact they are. */
function assertCanUpdateClient(department: string, actorId: number, client: LockedClient): void {
  if (department !== 'sales' || client.salesContactId === actorId) return;
  const owner = client.salesContactId === null ? 'has no sales contact' : `belongs to ${client.salesContactEmail}`;
  throw new PermissionDenied(`sales may only update their own clients (client ${client.id} ${owner})`);
}
