/**
 * The million-row CRM: collaborators, clients, contracts and events generated
 * inside PostgreSQL (generate_series, bench/sql/bench.sql), as the schema owner, in
 * one transaction; then VACUUM ANALYZE so the planner knows the new sizes.
 */
import type { AdminConnection } from '../lib/db/index.js';
import { bind, queries } from '../lib/db/sql.js';
import { benchQueries } from './queries.js';

const q = benchQueries(['generateCollaborators', 'generateClients', 'generateContracts', 'generateEvents', 'generateHistory', 'skipTriggers', 'rebuildTallies', 'firstClientId', 'analyzeCrm', 'rowCounts', 'generateReportTotals'] as const);
const sq = queries('setup', ['actAsOwner'] as const);
const tq = queries('transaction', ['begin', 'commit', 'rollback'] as const);

export interface Scale {
  sales: number;
  support: number;
  clients: number;
  contracts: number;
  events: number;
  /** Change log entries (1,000 of them about contract 1). */
  history: number;
}

/** The figures. */
export const FULL_SCALE: Scale = { sales: 50, support: 30, clients: 200_000, contracts: 1_000_000, events: 500_000, history: 5_000_000 };

/** Changes of one contract in the generated history (contracts.history(HISTORY_CONTRACT) pages through them). */
export const HISTORY_CHANGES = 1000;

export interface Generated {
  salesIds: number[];
  supportIds: number[];
  managementIds: number[];
  /** The contract with HISTORY_CHANGES changes. */
  historyContract: number;
}

export interface RowCounts {
  users: number;
  clients: number;
  contracts: number;
  events: number;
  history: number;
  historyOfContract1: number;
}

/**
 * Fill the database `conn` points at (as an administrator). Every bench
 * collaborator gets `passwordHash`; emails are bench-sales-N@epic.events and
 * bench-support-N@epic.events.
 */
export async function generateCrm(conn: AdminConnection, scale: Scale, passwordHash: string, progress: (line: string) => void = () => undefined): Promise<Generated> {
  if (scale.events > scale.contracts) throw new Error('one event per contract: events must not outnumber contracts');
  await conn.exec(tq.begin);
  let generated: Generated;
  try {
    await conn.exec(q.skipTriggers);
    await conn.exec(sq.actAsOwner);
    const ids = async (count: number, department: string, prefix: string) =>
      (await conn.many<{ id: number }>(q.generateCollaborators, bind(q.generateCollaborators, { howMany: count, department, passwordHash, emailPrefix: prefix }))).map((r) => r.id);
    const salesIds = await ids(scale.sales, 'sales', 'bench-sales-');
    const supportIds = await ids(scale.support, 'support', 'bench-support-');
    const managementIds = await ids(1, 'management', 'bench-management-');
    const step = (label: string, fn: () => Promise<unknown>) => timed(progress, label, fn);
    await step(`${scale.clients} clients`, () => conn.exec(q.generateClients, bind(q.generateClients, { howMany: scale.clients, salesIds })));
    const first = (await conn.one<{ id: number; count: number }>(q.firstClientId)) as { id: number; count: number };
    await step(`${scale.contracts} contracts`, () => conn.exec(q.generateContracts, bind(q.generateContracts, { howMany: scale.contracts, firstClientId: first.id, clientCount: first.count })));
    await step(`${scale.events} events`, () => conn.exec(q.generateEvents, bind(q.generateEvents, { howMany: scale.events, supportIds })));
    await step('contract tallies', () => conn.exec(q.rebuildTallies));
    // Contract ids start at 1 on a fresh database: the history's busy contract is the first.
    const historyContract = 1;
    await step(`${scale.history} history entries`, () => conn.exec(q.generateHistory, bind(q.generateHistory, { howMany: scale.history, changesOfContract: HISTORY_CHANGES, contractId: historyContract, actorId: salesIds[0] })));
    await step('report totals', () => conn.exec(q.generateReportTotals));
    await conn.exec(tq.commit);
    generated = { salesIds, supportIds, managementIds, historyContract };
  } catch (err) {
    await conn.exec(tq.rollback).catch(() => undefined);
    throw err;
  }
  await timed(progress, 'vacuum analyze', () => conn.exec(q.analyzeCrm));
  return generated;
}

async function timed(progress: (line: string) => void, label: string, fn: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await fn();
  progress(`${label} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

export async function rowCounts(conn: AdminConnection): Promise<RowCounts> {
  return (await conn.one<RowCounts>(q.rowCounts)) as RowCounts;
}
