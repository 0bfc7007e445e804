/**
 * contracts: list/get for everyone; create for management (any client);
 * update of the amounts and sign for management (any contract) and sales
 * (contracts of their own clients). Amounts are exact strings ('1500.00') on
 * the way in and out. Ownership is checked against the locked contract and
 * client rows in the write's transaction.
 */
import { queries } from '../db/sql.js';
import type { Executor } from '../db/index.js';
import { Conflict, NotFound, PermissionDenied } from '../errors.js';
import type { Actor } from '../actor.js';
import { historyMethod } from './history.js';
import { inSession, missingOrRefused, recordById, type ApiDeps } from './deps.js';
import { makePage, type Page } from './page.js';
import {
  cents, fieldsOf, flag, idArgument, money, optional, pageLimit, recordId, required, validated, type Problems,
} from './validate.js';

const q = queries('contracts', [
  'getContract', 'listContracts', 'clientExists', 'createContract', 'lockContract', 'peekContract', 'updateContractAmounts', 'signContract',
] as const);

export interface Contract {
  id: number;
  clientId: number;
  clientName: string;
  clientEmail: string;
  clientPhone: string | null;
  /** The client's sales contact (read through the client). */
  salesContactId: number | null;
  salesContactName: string | null;
  /** Exact, two decimals: '1500.00'. */
  totalAmount: string;
  amountDue: string;
  signed: boolean;
  signedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ContractFilters {
  signed?: boolean;
  /** Amount due above 0. */
  unpaid?: boolean;
  /** For sales: contracts of their own clients. */
  mine?: boolean;
  clientId?: number;
  limit?: number;
}

export type Amount = string | number;

export interface NewContract {
  clientId: number;
  totalAmount: Amount;
  /** Defaults to the total amount. */
  amountDue?: Amount;
  signed?: boolean;
}

export interface ContractChanges {
  totalAmount?: Amount;
  amountDue?: Amount;
}

/** The contract with its client's sales contact, as a write checks it (locked). */
export interface LockedContract {
  id: number;
  clientId: number;
  totalAmount: string;
  amountDue: string;
  signedAt: Date | null;
  salesContactId: number | null;
  salesContactEmail: string | null;
}

const FILTERS = ['signed', 'unpaid', 'mine', 'clientId', 'limit'] as const;
const NEW_FIELDS = ['clientId', 'totalAmount', 'amountDue', 'signed'] as const;
const CHANGE_FIELDS = ['totalAmount', 'amountDue'] as const;
const CHANGE_HINTS = {
  signed: 'cannot be changed by update: use contracts.sign(id)',
  clientId: 'cannot be changed: a contract stays with its client',
};

/** amountDue ≤ totalAmount, as a field problem. */
function checkDueWithinTotal(total: string, due: string, problems: Problems): void {
  if (cents(due) > cents(total)) problems.add('amountDue', `must not exceed the total amount (${due} > ${total})`);
}

/** Lock a contract for a write and check the caller may change it: management any, sales their clients' only. */
export async function lockContractFor(tx: Executor, actor: Actor, contractId: number, action: string): Promise<LockedContract> {
  const contract = (await tx.one<LockedContract>(q.lockContract, [contractId]))
    ?? (await missingOrRefused<LockedContract>(tx, q.peekContract, contractId, () => new NotFound(`no contract ${contractId}`), (row) => assertOwnClientContract(actor, row, action)));
  assertOwnClientContract(actor, contract, action);
  return contract;
}

function assertOwnClientContract(actor: Actor, contract: LockedContract, action: string): void {
  if (actor.department !== 'sales' || contract.salesContactId === actor.id) return;
  const owner = contract.salesContactId === null ? 'has no sales contact' : `belongs to ${contract.salesContactEmail}`;
  throw new PermissionDenied(`sales may only ${action} contracts of their own clients (contract ${contract.id} is for client ${contract.clientId}, who ${owner})`);
}

export function createContracts(deps: ApiDeps) {
  function get(id: number): Promise<Contract> {
    return recordById<Contract>(deps, q.getContract, id, 'contract');
  }

  async function list(filters?: ContractFilters): Promise<Page<Contract>> {
    const actor = deps.actor();
    const params = validated((p) => {
      const f = fieldsOf(filters, 'filters', FILTERS, p);
      const mine = optional(f, 'mine', p, flag);
      return {
        limit: pageLimit(f.limit, p),
        signed: optional(f, 'signed', p, flag),
        unpaid: optional(f, 'unpaid', p, flag),
        // `mine` is about the client's sales contact; false is the same as not asking.
        salesContactId: mine ? actor.id : null,
        clientId: optional(f, 'clientId', p, recordId),
      };
    });
    const fetchAfter = async (afterId: number): Promise<Page<Contract>> => {
      const rows = await inSession(deps, (tx) => tx.many<Contract>(q.listContracts, [
        afterId, params.limit + 1, params.signed, params.unpaid, params.salesContactId, params.clientId,
      ]), { readOnly: true });
      return makePage('contracts', rows, params.limit, fetchAfter);
    };
    return fetchAfter(0);
  }

  async function create(fields: NewContract): Promise<Contract> {
    const values = validated((p) => {
      const f = fieldsOf(fields, 'contract', NEW_FIELDS, p);
      const clientId = required(f, 'clientId', p, recordId);
      const total = required(f, 'totalAmount', p, money);
      const due = f.amountDue === undefined ? total : money(f.amountDue, 'amountDue', p);
      if (total !== undefined && due !== undefined) checkDueWithinTotal(total, due, p);
      return { clientId, total, due, signed: optional(f, 'signed', p, flag) ?? false };
    });
    const id = await inSession(deps, async (tx) => {
      if (!(await tx.one(q.clientExists, [values.clientId]))) throw new NotFound(`no client ${values.clientId}`);
      const row = await tx.one<{ id: number }>(q.createContract, [values.clientId, values.total, values.due, values.signed]);
      return (row as { id: number }).id;
    });
    // A contract created signed is a signature too.
    if (values.signed) deps.monitor.event('contract.signed', { contractId: id, clientId: values.clientId as number, actorId: deps.actor().id });
    return get(id);
  }

  async function update(id: number, changes: ContractChanges): Promise<Contract> {
    const actor = deps.actor();
    const contractId = idArgument(id, 'id');
    const given = validated((p) => {
      const f = fieldsOf(changes, 'changes', CHANGE_FIELDS, p, CHANGE_HINTS);
      if (Object.keys(f).length === 0) p.add('changes', 'must name at least one field to change (totalAmount, amountDue)');
      const total = f.totalAmount === undefined ? undefined : money(f.totalAmount, 'totalAmount', p);
      const due = f.amountDue === undefined ? undefined : money(f.amountDue, 'amountDue', p);
      if (total !== undefined && due !== undefined) checkDueWithinTotal(total, due, p);
      return { total, due };
    });
    await inSession(deps, async (tx) => {
      const current = await lockContractFor(tx, actor, contractId, 'update');
      const total = given.total ?? current.totalAmount;
      const due = given.due ?? current.amountDue;
      // The other amount comes from the current row: checked here, under the lock.
      validated((p) => checkDueWithinTotal(total, due, p));
      await tx.exec(q.updateContractAmounts, [contractId, total, due]);
    });
    return get(contractId);
  }

  async function sign(id: number): Promise<Contract> {
    const actor = deps.actor();
    const contractId = idArgument(id, 'id');
    const clientId = await inSession(deps, async (tx) => {
      const current = await lockContractFor(tx, actor, contractId, 'sign');
      if (current.signedAt) throw new Conflict(`contract ${contractId} is already signed (on ${current.signedAt.toISOString()})`);
      const signed = await tx.one<{ signed: boolean }>(q.signContract, [contractId]);
      if (!signed?.signed) throw new Conflict(`contract ${contractId} was signed by someone else meanwhile`);
      return current.clientId;
    });
    // Reported once the signature is committed, never for a rolled-back one.
    deps.monitor.event('contract.signed', { contractId, clientId, actorId: actor.id });
    return get(contractId);
  }

  /** Who changed this contract and when (sql/migrations/007_change_log.sql). */
  const history = historyMethod(deps, 'contract', get);

  return { list, get, create, update, sign, history };
}

export type Contracts = ReturnType<typeof createContracts>;
