/**
 * contracts: list/get for everyone; create for management (any client);
 * update of the amounts and sign for management (any contract) and sales
 * (contracts of their own clients). Amounts are exact strings ('1500.00') on
 * the way in and out. Ownership is checked against the locked contract and
 * client rows in the write's transaction.
 */
import { bind, queries } from '../db/sql.js';
import type { Executor } from '../db/index.js';
import { Conflict, NotFound } from '../errors.js';
import type { Actor } from '../actor.js';
import { EVERYONE, fields, may, method, need, readArgs, value, type MethodDescription, type ObjectDescription } from './describe.js';
import { historyDescription, historyMethod } from './history.js';
import { inSession, missingOrRefused, recordById, type ApiDeps } from './deps.js';
import { assertOwnership } from './ownership.js';
import { DEFAULT_PAGE_SIZE, makePage, type Page } from './page.js';
import { cents, flag, money, pageLimitField, recordId, validated, type Problems } from './validate.js';

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

const amount = money;

/** The contracts methods: who may call each, its arguments and its help (lib/crm/describe.ts). */
export const CONTRACTS = {
  list: method({
    departments: EVERYONE, writes: false,
    args: [fields('filters', { signed: may(flag), unpaid: may(flag), mine: may(flag), clientId: may(recordId), limit: may(pageLimitField) }, { optional: true })],
    description: 'contracts, a page at a time', example: 'contracts.list({signed: false})',
  }),
  get: method({ departments: EVERYONE, writes: false, args: [value('id', recordId)], description: 'one contract', example: 'contracts.get(1)' }),
  create: method({
    departments: ['management'], writes: true,
    args: [fields('contract', { clientId: need(recordId), totalAmount: need(amount), amountDue: may(amount), signed: may(flag) })],
    description: 'a new contract for a client', example: "contracts.create({clientId: 1, totalAmount: '1500.00', amountDue: '500.00'})",
  }),
  update: method({
    departments: ['management', 'sales'], ownership: { sales: 'ownClientContract' }, writes: true,
    args: [value('id', recordId), fields('changes', { totalAmount: may(amount), amountDue: may(amount) }, {
      atLeastOne: true,
      hints: { signed: 'cannot be changed by update: use contracts.sign(id)', clientId: 'cannot be changed: a contract stays with its client' },
    })],
    description: 'change the amounts of a contract', example: "contracts.update(1, {amountDue: '0'})",
  }),
  sign: method({
    departments: ['management', 'sales'], ownership: { sales: 'ownClientContract' }, writes: true, args: [value('id', recordId)],
    description: 'record that the client signed the contract', example: 'contracts.sign(1)',
  }),
  history: historyDescription('contract', EVERYONE),
} satisfies ObjectDescription;

/** amountDue ≤ totalAmount, as a field problem. */
function checkDueWithinTotal(total: string | undefined, due: string | undefined, problems: Problems): void {
  if (total !== undefined && due !== undefined && cents(due) > cents(total)) problems.add('amountDue', `must not exceed the total amount (${due} > ${total})`);
}

/**
 * Lock a contract for a write and check the caller may change it, by the
 * ownership rule of the method's description (sales: their clients' contracts).
 * `action` words a refusal: 'update', 'sign', 'add events to'.
 */
export async function lockContractFor(tx: Executor, actor: Actor, description: MethodDescription, contractId: number, action: string): Promise<LockedContract> {
  const mayChange = (row: LockedContract) => assertOwnership(description, actor, row, action);
  const contract = (await tx.one<LockedContract>(q.lockContract, [contractId]))
    ?? (await missingOrRefused<LockedContract>(tx, q.peekContract, contractId, () => new NotFound(`no contract has id ${contractId}`), mayChange));
  mayChange(contract);
  return contract;
}

export function createContracts(deps: ApiDeps) {
  function get(id: number): Promise<Contract> {
    return recordById<Contract>(deps, q.getContract, id, 'contract');
  }

  async function list(filters?: ContractFilters): Promise<Page<Contract>> {
    const actor = deps.actor();
    const params = validated((p) => {
      const [f] = readArgs(CONTRACTS.list, [filters], p);
      return {
        limit: f.limit ?? DEFAULT_PAGE_SIZE,
        signed: f.signed,
        unpaid: f.unpaid,
        // `mine` is about the client's sales contact; false is the same as not asking.
        salesContactId: f.mine ? actor.id : null,
        clientId: f.clientId,
      };
    });
    const fetchAfter = async (afterId: number): Promise<Page<Contract>> => {
      const rows = await inSession(deps, (tx) => tx.many<Contract>(q.listContracts, bind(q.listContracts, { ...params, afterId, limit: params.limit + 1 })), { readOnly: true });
      return makePage('contracts', rows, params.limit, fetchAfter);
    };
    return fetchAfter(0);
  }

  async function create(contract: NewContract): Promise<Contract> {
    const values = validated((p) => {
      const [f] = readArgs(CONTRACTS.create, [contract], p);
      const amountDue = f.amountDue ?? f.totalAmount;
      checkDueWithinTotal(f.totalAmount, amountDue, p);
      return { clientId: f.clientId, totalAmount: f.totalAmount, amountDue, signed: f.signed ?? false };
    });
    const id = await inSession(deps, async (tx) => {
      if (!(await tx.one(q.clientExists, [values.clientId]))) throw new NotFound(`no client has id ${values.clientId}`);
      const row = await tx.one<{ id: number }>(q.createContract, bind(q.createContract, values));
      return (row as { id: number }).id;
    });
    // A contract created signed is a signature too.
    if (values.signed) deps.monitor.event('contract.signed', { contractId: id, clientId: values.clientId, actorId: deps.actor().id });
    return get(id);
  }

  async function update(id: number, changes: ContractChanges): Promise<Contract> {
    const actor = deps.actor();
    const [contractId, given] = validated((p) => {
      const args = readArgs(CONTRACTS.update, [id, changes], p);
      checkDueWithinTotal(args[1].totalAmount, args[1].amountDue, p);
      return args;
    });
    await inSession(deps, async (tx) => {
      const current = await lockContractFor(tx, actor, CONTRACTS.update, contractId, 'update');
      const totalAmount = given.totalAmount ?? current.totalAmount;
      const amountDue = given.amountDue ?? current.amountDue;
      // The other amount comes from the current row: checked here, under the lock.
      validated((p) => checkDueWithinTotal(totalAmount, amountDue, p));
      await tx.exec(q.updateContractAmounts, bind(q.updateContractAmounts, { id: contractId, totalAmount, amountDue }));
    });
    return get(contractId);
  }

  async function sign(id: number): Promise<Contract> {
    const actor = deps.actor();
    const [contractId] = validated((p) => readArgs(CONTRACTS.sign, [id], p));
    const clientId = await inSession(deps, async (tx) => {
      const current = await lockContractFor(tx, actor, CONTRACTS.sign, contractId, 'sign');
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
