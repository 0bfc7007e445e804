/**
 * contracts: list/get for everyone; create for management (any client);
 * update of the amounts and sign for management (any contract) and sales
 * (contracts of their own clients). Amounts are exact strings ('1500.00') on
 * the way in and out. Ownership is checked against the locked contract and
 * client rows in the write's transaction.
 */
import { bind, queries } from '../db/sql.js';
import type { Executor } from '../db/index.js';
import { Conflict, NotFound, ValidationError } from '../domain/errors.js';
import type { Actor } from '../domain/actor.js';
import { formatDate } from '../platform/dates.js';
import { EVERYONE, fields, may, method, need, value, type MethodDescription, type ObjectDescription, type Values, one, pageOf, typed, record } from './describe.js';
import { historyDescription, historyMethod } from './history.js';
import { inSession, inSessionStatement, missingOrRefused, recordById, type ApiDeps } from './deps.js';
import { assertOwnership } from './ownership.js';
import { trashDescriptions, trashMethods } from './trash.js';
import { DEFAULT_PAGE_SIZE, type Page } from './page.js';
import { BY_ID, keysetPage, sortField, sortHelp } from './sort.js';
import { cents, money } from './money.js';
import { flag, recordId, validated, type Problems } from './validate.js';
import { pageLimitField } from './list-filters.js';

const q = queries('contracts', [
  'getContract', 'restoreContract', 'listContracts', 'exportContracts', 'copyContractsSettings', 'copyContracts', 'countContracts', 'clientExists', 'createContract', 'lockContract', 'peekContract', 'updateContractAmounts', 'signContract', 'payContract',
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

/** A contract as methods return it (lib/crm/describe.ts `record`). */
const CONTRACT = record<Contract>('Contract', {
  id: 'number', clientId: 'number', clientName: 'string', clientEmail: 'string', clientPhone: 'string | null',
  salesContactId: ['number | null', "The client's sales contact."], salesContactName: 'string | null',
  totalAmount: ['string', "Exact, two decimals: '1500.00'."], amountDue: 'string', signed: 'boolean', signedAt: 'Date | null',
  createdAt: 'Date', updatedAt: 'Date',
});

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

/** What contracts sort by (each column has an index on (column, id), sql/migrations/008). */
export const CONTRACT_SORT = { createdAt: 'created_at', amountDue: 'amount_due', totalAmount: 'total_amount', id: 'id' } as const;

/** The filters of contracts.list and contracts.count. */
const CONTRACT_FILTERS = { signed: may(flag), unpaid: may(flag), mine: may(flag), clientId: may(recordId) };

/** A payment: an amount as contracts take them, above 0. */
function payment(value: unknown, field: string, problems: Problems): string | undefined {
  const paid = money(value, field, problems);
  if (paid === undefined || cents(paid) > 0n) return paid;
  problems.add(field, "must be above 0, such as '500.00'");
  return undefined;
}

/** The contracts methods: who may call each, its arguments and its help (lib/crm/describe.ts). */
export const CONTRACTS = {
  list: method({
    returns: pageOf(CONTRACT), departments: EVERYONE, writes: false,
    args: [fields('filters', { ...CONTRACT_FILTERS, sort: may(sortField(CONTRACT_SORT)), limit: may(pageLimitField) }, { optional: true })],
    description: `contracts, a page at a time (${sortHelp(CONTRACT_SORT)})`, example: "contracts.list({unpaid: true, sort: '-amountDue'})",
  }),
  count: method({
    returns: typed('number'), departments: EVERYONE, writes: false,
    args: [fields('filters', CONTRACT_FILTERS, { optional: true })],
    description: 'how many contracts contracts.list lists with these filters (unpaid: something due, signed or not; reports.unpaid() is signed contracts only)', example: 'contracts.count({unpaid: true})',
  }),
  get: method({ returns: one(CONTRACT), departments: EVERYONE, writes: false, args: [value('id', recordId)], description: 'one contract', example: 'contracts.get(1)' }),
  create: method({
    returns: one(CONTRACT), departments: ['management'], writes: true,
    args: [fields('contract', { clientId: need(recordId), totalAmount: need(amount), amountDue: may(amount), signed: may(flag) })],
    check: ([f], p) => checkDueWithinTotal(f.totalAmount, f.amountDue ?? f.totalAmount, p),
    description: 'a new contract for a client', example: "contracts.create({clientId: 1, totalAmount: '1500.00', amountDue: '500.00'})",
  }),
  update: method({
    returns: one(CONTRACT), departments: ['management', 'sales'], ownership: { sales: 'ownClientContract' }, writes: true,
    args: [value('id', recordId), fields('changes', { totalAmount: may(amount), amountDue: may(amount) }, {
      atLeastOne: true,
      hints: { signed: 'cannot be changed by update: use contracts.sign(id)', clientId: 'cannot be changed: a contract stays with its client' },
    })],
    check: ([, f], p) => checkDueWithinTotal(f.totalAmount, f.amountDue, p),
    description: 'change the amounts of a contract', example: "contracts.update(1, {amountDue: '0'})",
  }),
  sign: method({
    returns: one(CONTRACT), departments: ['management', 'sales'], ownership: { sales: 'ownClientContract' }, writes: true, confirm: true, args: [value('id', recordId)],
    description: 'record that the client signed the contract', example: 'contracts.sign(1)',
  }),
  pay: method({
    returns: one(CONTRACT), departments: ['management', 'sales'], ownership: { sales: 'ownClientContract' }, writes: true,
    args: [value('id', recordId), value('amount', payment)],
    description: 'record a payment on a signed contract: its amount due goes down by amount (never below 0)',
    example: "contracts.pay(1, '500.00')",
  }),
  history: historyDescription('contract', EVERYONE),
  ...trashDescriptions('contract', ['management', 'sales'], CONTRACT),
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
  const contract = (await tx.one<LockedContract>(q.lockContract, bind(q.lockContract, { id: contractId })))
    ?? (await missingOrRefused<LockedContract>(tx, q.peekContract, contractId, () => new NotFound(`no contract has id ${contractId}`), mayChange));
  mayChange(contract);
  return contract;
}

export function createContracts(deps: ApiDeps) {
  function get(id: number): Promise<Contract> {
    return recordById<Contract>(deps, q.getContract, id, 'contract');
  }

  /** The query's filters from the call's (shared by list and count). */
  function filterParams(f: { signed?: boolean; unpaid?: boolean; mine?: boolean; clientId?: number }) {
    // `mine` is about the client's sales contact; false is the same as not asking.
    return { signed: f.signed, unpaid: f.unpaid, salesContactId: f.mine ? deps.actor().id : null, clientId: f.clientId };
  }

  async function list(f: Values<typeof CONTRACTS.list>[0]): Promise<Page<Contract>> {
    const params = filterParams(f);
    return keysetPage<Contract>(deps, 'contracts', q.listContracts, f.sort ?? BY_ID, f.limit ?? DEFAULT_PAGE_SIZE, (k) => bind(q.listContracts, { ...params, ...k }), q.exportContracts,
      { settings: q.copyContractsSettings, copy: q.copyContracts });
  }

  async function count(f: Values<typeof CONTRACTS.count>[0]): Promise<number> {
    const [row] = await inSessionStatement<{ count: number }>(deps, q.countContracts, bind(q.countContracts, filterParams(f)));
    return row.count;
  }

  async function create(f: Values<typeof CONTRACTS.create>[0]): Promise<Contract> {
    const values = { clientId: f.clientId, totalAmount: f.totalAmount, amountDue: f.amountDue ?? f.totalAmount, signed: f.signed ?? false };
    // The insert returns the contract as it left it (sql/contracts.sql createContract): no second read.
    const created = await inSession(deps, async (tx) => {
      if (!(await tx.one(q.clientExists, bind(q.clientExists, { id: values.clientId })))) throw new NotFound(`no client has id ${values.clientId}`);
      return (await tx.one<Contract>(q.createContract, bind(q.createContract, values))) as Contract;
    });
    // A contract created signed is a signature too.
    if (values.signed) deps.monitor.event('contract.signed', { contractId: created.id, clientId: values.clientId, actorId: deps.actor().id });
    return created;
  }

  async function update(contractId: number, given: Values<typeof CONTRACTS.update>[1]): Promise<Contract> {
    const actor = deps.actor();
    // The update returns the contract as it left it (sql/contracts.sql updateContractAmounts): no second read.
    const updated = await inSession(deps, async (tx) => {
      const current = await lockContractFor(tx, actor, CONTRACTS.update, contractId, 'update');
      const totalAmount = given.totalAmount ?? current.totalAmount;
      const amountDue = given.amountDue ?? current.amountDue;
      // The other amount comes from the current row: checked here, under the lock.
      validated((p) => checkDueWithinTotal(totalAmount, amountDue, p));
      return tx.one<Contract>(q.updateContractAmounts, bind(q.updateContractAmounts, { id: contractId, totalAmount, amountDue }));
    });
    if (!updated) throw new NotFound(`no contract has id ${contractId}`);
    return updated;
  }

  async function sign(contractId: number): Promise<Contract> {
    const actor = deps.actor();
    // sign_contract() returns the row its signature wrote (075): no second read.
    const signed = await inSession(deps, async (tx) => {
      const current = await lockContractFor(tx, actor, CONTRACTS.sign, contractId, 'sign');
      if (current.signedAt) throw new Conflict(`contract ${contractId} is already signed (on ${formatDate(current.signedAt)})`);
      const row = await tx.one<Contract>(q.signContract, bind(q.signContract, { id: contractId }));
      if (!row) throw new Conflict(`contract ${contractId} was signed by someone else meanwhile`);
      return row;
    });
    // Reported once the signature is committed, never for a rolled-back one.
    deps.monitor.event('contract.signed', { contractId, clientId: signed.clientId, actorId: actor.id });
    return signed;
  }

  /**
   * A payment: checked against the locked row (signed, within the amount due),
   * then recorded by the database's pay_contract, which checks the same again,
   * writes the history entry "payment" and returns the row it left (no second
   * read). The lock makes two payments at once pay one after the other: the
   * second sees what the first left due.
   */
  async function pay(contractId: number, paid: string): Promise<Contract> {
    const actor = deps.actor();
    return inSession(deps, async (tx) => {
      const current = await lockContractFor(tx, actor, CONTRACTS.pay, contractId, 'record payments on');
      if (!current.signedAt) throw new Conflict(`contract ${contractId} is not signed: payments are recorded on signed contracts (contracts.sign(${contractId}) first)`);
      if (cents(paid) > cents(current.amountDue)) {
        const problem = cents(current.amountDue) === 0n ? `is more than is due: contract ${contractId} is paid in full` : `must not exceed the amount due on contract ${contractId} (${paid} > ${current.amountDue})`;
        throw new ValidationError([{ field: 'amount', problem }]);
      }
      return (await tx.one<Contract>(q.payContract, bind(q.payContract, { id: contractId, amount: paid }))) as Contract;
    });
  }

  /** Who changed this contract and when (sql/migrations/007_change_log.sql). */
  const history = historyMethod(deps, 'contract', get);

  return { list, count, get, create, update, sign, pay, history, ...trashMethods<Contract>(deps, 'contract', CONTRACTS, q.restoreContract) };
}

export type Contracts = ReturnType<typeof createContracts>;
