/**
 * Defence in depth: the statements of every refused cell of the department
 * matrix, run raw on the runtime connection under that department's identity
 * — the TypeScript checks bypassed — are refused by PostgreSQL itself
 * (SQLSTATE 42501, or no row affected) and change nothing.
 */
import { expect } from 'chai';
import { AdminConnection, Database, type Executor } from '../../lib/db/index.js';
import { type NamedQuery } from '../../lib/db/sql.js';
import { testQueries } from '../support/test-queries.js';
import { identityPrelude } from '../../lib/crm/deps.js';
import type { Department } from '../../lib/domain/departments.js';
import type { Actor } from '../../lib/domain/actor.js';
import { ctx, fingerprint, resetData, sessionDb, sessionParams } from '../support/server.js';
import { buildWorld as buildFixtureWorld } from '../support/fixtures.js';

const t = testQueries([
  'bypassInsertClient', 'bypassUpdateClientName', 'bypassReassignClient', 'bypassDeleteClient',
  'bypassInsertContract', 'bypassUpdateContractAmount', 'bypassSignContract', 'bypassMoveContract', 'bypassDeleteContract',
  'bypassInsertEvent', 'bypassInsertAssignedEvent', 'bypassUpdateEventNotes', 'bypassAssignEvent', 'bypassDeleteEvent',
  'bypassInsertUser', 'bypassUpdateUser', 'bypassDeleteUser', 'bypassReadHashes', 'bypassReadClients', 'bypassReadThrottle',
  'bypassBecomeOwner', 'bypassSignThroughFunction', 'bypassUnsignContract', 'bypassBackdateContract', 'bypassSetContractVersion',
  'bypassSetEventVersion', 'bypassSetHash', 'bypassMoveUser',
] as const);

type World = Awaited<ReturnType<typeof buildWorld>>;

/** The fixture world (spec/support/fixtures.ts) under the names this matrix speaks in. */
async function buildWorld() {
  const w = await buildFixtureWorld();
  const who = { management: w.manager, sales: w.alice, support: w.kate } as const;
  return {
    who, manager: w.manager, seller: w.alice, otherSeller: w.bob, supporter: w.kate, otherSupporter: w.lou,
    ownClient: w.clientA, otherClient: w.clientB,
    // signedA has no event yet (sales may still add it); contractA is unsigned.
    ownSigned: w.signedA, ownUnsigned: w.contractA, otherSigned: w.signedB, otherUnsigned: w.contractB,
    ownEvent: w.eventK, otherEvent: w.eventL,
  };
}

/** Run one raw statement as `department` (the shell's own prelude), returning rows affected or the SQLSTATE. */
async function asDepartment(actor: Actor, run: (tx: Executor) => Promise<number>): Promise<number | string> {
  try {
    return await sessionDb(actor).transaction(run, { prelude: identityPrelude(actor) });
  } catch (err) {
    return (err as { sqlState?: string }).sqlState ?? (err as { code?: string }).code ?? String(err);
  }
}

const exec = (q: NamedQuery, params: (w: World) => unknown[]) => (w: World) => (tx: Executor) => tx.exec(q, params(w));
const many = (q: NamedQuery) => () => (tx: Executor) => tx.many(q).then((rows) => rows.length);

const refused: Array<[string, Department, (w: World) => (tx: Executor) => Promise<number>]> = [
  ['management creates a client', 'management', exec(t.bypassInsertClient, (w) => ['m@x.io', w.manager.id])],
  // Management inserts clients only as an import does: for a salesperson or for nobody (migration 011).
  ['management creates a client for a support collaborator', 'management', exec(t.bypassInsertClient, (w) => ['ms@x.io', w.supporter.id])],
  ['support creates a client', 'support', exec(t.bypassInsertClient, (w) => ['p@x.io', w.supporter.id])],
  ["sales create a client for a colleague", 'sales', exec(t.bypassInsertClient, (w) => ['s@x.io', w.otherSeller.id])],
  ["sales rename a colleague's client", 'sales', exec(t.bypassUpdateClientName, (w) => [w.otherClient])],
  ['sales give their client to a colleague', 'sales', exec(t.bypassReassignClient, (w) => [w.ownClient, w.otherSeller.id])],
  ['management rename a client', 'management', exec(t.bypassUpdateClientName, (w) => [w.ownClient])],
  ['management give a client to a support collaborator', 'management', exec(t.bypassReassignClient, (w) => [w.ownClient, w.supporter.id])],
  ['support rename a client', 'support', exec(t.bypassUpdateClientName, (w) => [w.ownClient])],
  // A DELETE moves a record to the trash (migration 026), under the rules of an update.
  ["sales delete their client, who has a signed contract with payments", 'sales', exec(t.bypassDeleteClient, (w) => [w.ownClient])],
  ["sales delete a colleague's client", 'sales', exec(t.bypassDeleteClient, (w) => [w.otherClient])],
  ['support delete a client', 'support', exec(t.bypassDeleteClient, (w) => [w.ownClient])],
  ["sales delete their client's signed contract with payments", 'sales', exec(t.bypassDeleteContract, (w) => [w.ownSigned])],
  ["sales delete a colleague's client's contract", 'sales', exec(t.bypassDeleteContract, (w) => [w.otherUnsigned])],
  ['support delete a contract', 'support', exec(t.bypassDeleteContract, (w) => [w.ownUnsigned])],
  ['sales delete an event', 'sales', exec(t.bypassDeleteEvent, (w) => [w.ownEvent])],
  ["support delete a colleague's event", 'support', exec(t.bypassDeleteEvent, (w) => [w.otherEvent])],
  ['sales create a contract', 'sales', exec(t.bypassInsertContract, (w) => [w.ownClient])],
  ['support create a contract', 'support', exec(t.bypassInsertContract, (w) => [w.ownClient])],
  ["sales change a colleague's client's contract", 'sales', exec(t.bypassUpdateContractAmount, (w) => [w.otherSigned])],
  // Unsigned: signing an already signed contract touches no row whatever the policies say.
  ["sales sign a colleague's client's contract", 'sales', exec(t.bypassSignContract, (w) => [w.otherUnsigned])],
  ["sales move their contract to a colleague's client", 'sales', exec(t.bypassMoveContract, (w) => [w.ownSigned, w.otherClient])],
  ['support change a contract', 'support', exec(t.bypassUpdateContractAmount, (w) => [w.ownSigned])],
  ['support sign a contract', 'support', exec(t.bypassSignContract, (w) => [w.ownUnsigned])],
  ['management move a contract to another client', 'management', exec(t.bypassMoveContract, (w) => [w.ownSigned, w.otherClient])],
  ['management create an event', 'management', exec(t.bypassInsertEvent, (w) => [w.ownSigned])],
  ['support create an event', 'support', exec(t.bypassInsertEvent, (w) => [w.ownSigned])],
  ["sales create an event on a colleague's client's contract", 'sales', exec(t.bypassInsertEvent, (w) => [w.otherSigned])],
  ['sales create an event on an unsigned contract', 'sales', exec(t.bypassInsertEvent, (w) => [w.ownUnsigned])],
  ['sales create an event already assigned to support', 'sales', exec(t.bypassInsertAssignedEvent, (w) => [w.ownSigned, w.supporter.id])],
  ["support update a colleague's event", 'support', exec(t.bypassUpdateEventNotes, (w) => [w.otherEvent])],
  ['support change the support contact of their event', 'support', exec(t.bypassAssignEvent, (w) => [w.ownEvent, w.otherSupporter.id])],
  ['sales update an event', 'sales', exec(t.bypassUpdateEventNotes, (w) => [w.ownEvent])],
  ['management update the details of an event', 'management', exec(t.bypassUpdateEventNotes, (w) => [w.ownEvent])],
  ['sales assign an event', 'sales', exec(t.bypassAssignEvent, (w) => [w.ownEvent, w.supporter.id])],
  ['management assign an event to a salesperson', 'management', exec(t.bypassAssignEvent, (w) => [w.ownEvent, w.seller.id])],
  ['sales create a collaborator', 'sales', exec(t.bypassInsertUser, () => ['new@epic.events'])],
  ['support create a collaborator', 'support', exec(t.bypassInsertUser, () => ['new@epic.events'])],
  ['sales rename a collaborator', 'sales', exec(t.bypassUpdateUser, (w) => [w.seller.id])],
  ['support rename a collaborator', 'support', exec(t.bypassUpdateUser, (w) => [w.supporter.id])],
  ['sales delete a collaborator', 'sales', exec(t.bypassDeleteUser, (w) => [w.otherSeller.id])],
  ['support delete a collaborator', 'support', exec(t.bypassDeleteUser, (w) => [w.otherSupporter.id])],
  ['management read password hashes', 'management', many(t.bypassReadHashes)],
  ['sales read password hashes', 'sales', many(t.bypassReadHashes)],
  ['support read password hashes', 'support', many(t.bypassReadHashes)],
  ['sales read the login throttle', 'sales', many(t.bypassReadThrottle)],
  ["sales sign their own client's contract by writing signed_at", 'sales', exec(t.bypassSignContract, (w) => [w.ownUnsigned])],
  ['management sign a contract by writing signed_at', 'management', exec(t.bypassSignContract, (w) => [w.ownUnsigned])],
  ["sales unsign their own client's contract", 'sales', exec(t.bypassUnsignContract, (w) => [w.ownSigned])],
  ["sales back-date their own client's signature", 'sales', exec(t.bypassBackdateContract, (w) => [w.ownSigned])],
  ["sales set the version of their own client's contract", 'sales', exec(t.bypassSetContractVersion, (w) => [w.ownSigned])],
  ['support set the version of their event', 'support', exec(t.bypassSetEventVersion, (w) => [w.ownEvent])],
  ["support sign their client's contract through sign_contract", 'support', exec(t.bypassSignThroughFunction, (w) => [w.ownUnsigned])],
  ["sales sign a colleague's contract through sign_contract", 'sales', exec(t.bypassSignThroughFunction, (w) => [w.otherUnsigned])],
  ['management set a password hash that is not bcrypt', 'management', exec(t.bypassSetHash, (w) => [w.seller.id, 'x'])],
  ['management insert a collaborator with any hash', 'management', exec(t.bypassInsertUser, () => ['new@epic.events'])],
  ['management delete themselves', 'management', exec(t.bypassDeleteUser, (w) => [w.manager.id])],
  ['management move the last manager out of management', 'management', exec(t.bypassMoveUser, (w) => [w.manager.id, 'sales'])],
  ['sales become the schema owner', 'sales', () => (tx) => tx.exec(t.bypassBecomeOwner).then(() => tx.exec(t.bypassDeleteClient, [0]))],
];

/** The same raw statements where the matrix allows them: proof the refusals above are not blanket. */
const allowed: Array<[string, Department, (w: World) => (tx: Executor) => Promise<number>]> = [
  ['sales rename their own client', 'sales', exec(t.bypassUpdateClientName, (w) => [w.ownClient])],
  ['sales create a client for themselves', 'sales', exec(t.bypassInsertClient, (w) => ['mine@x.io', w.seller.id])],
  ['management create a client for a salesperson (as clients.import does)', 'management', exec(t.bypassInsertClient, (w) => ['imp@x.io', w.otherSeller.id])],
  ["sales change their client's contract", 'sales', exec(t.bypassUpdateContractAmount, (w) => [w.ownSigned])],
  ['sales sign their client\'s contract (through sign_contract)', 'sales', exec(t.bypassSignThroughFunction, (w) => [w.ownUnsigned])],
  ['management sign a contract (through sign_contract)', 'management', exec(t.bypassSignThroughFunction, (w) => [w.otherUnsigned])],
  ["sales create the event of their client's signed contract", 'sales', exec(t.bypassInsertEvent, (w) => [w.ownSigned])],
  ['support update their event', 'support', exec(t.bypassUpdateEventNotes, (w) => [w.ownEvent])],
  ['management assign an event to support', 'management', exec(t.bypassAssignEvent, (w) => [w.ownEvent, w.otherSupporter.id])],
  ['management create a contract', 'management', exec(t.bypassInsertContract, (w) => [w.otherClient])],
  ['management give a client to another salesperson', 'management', exec(t.bypassReassignClient, (w) => [w.ownClient, w.otherSeller.id])],
  ['management rename a collaborator', 'management', exec(t.bypassUpdateUser, (w) => [w.seller.id])],
  ['management delete (to the trash) a client', 'management', exec(t.bypassDeleteClient, (w) => [w.ownClient])],
  ["sales delete (to the trash) their client's unsigned contract", 'sales', exec(t.bypassDeleteContract, (w) => [w.ownUnsigned])],
  ['management delete (to the trash) a contract', 'management', exec(t.bypassDeleteContract, (w) => [w.otherSigned])],
  ['support delete (to the trash) their event', 'support', exec(t.bypassDeleteEvent, (w) => [w.ownEvent])],
  ['management delete (to the trash) an event', 'management', exec(t.bypassDeleteEvent, (w) => [w.otherEvent])],
];

describe('PostgreSQL enforces the department matrix (TypeScript checks bypassed)', () => {
  let w: World;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
  });

  for (const [what, department, statement] of refused) {
    it(`refuses: ${what}`, async () => {
      const before = await fingerprint();
      const outcome = await asDepartment(w.who[department], statement(w));
      expect(outcome === '42501' || outcome === '23514' || outcome === 'EP320' || outcome === 0, `got ${outcome}`).to.equal(true);
      expect(await fingerprint()).to.deep.equal(before);
    });
  }

  for (const [what, department, statement] of allowed) {
    it(`allows: ${what}`, async () => {
      expect(await asDepartment(w.who[department], statement(w))).to.equal(1);
    });
  }

  it('refuses every table to the runtime connection outside a collaborator transaction', async () => {
    const runtime = await AdminConnection.open(ctx().target.runtime);
    try {
      let code: string | undefined;
      await runtime.many(t.bypassReadClients).catch((err) => (code = err.sqlState ?? err.code));
      expect(code).to.equal('42501');
    } finally {
      await runtime.close();
    }
  });

  it('carries no identity from one transaction into the next on a pooled connection', async () => {
    const db = new Database(sessionParams(w.seller), { max: 1 });
    try {
      await db.transaction((tx) => tx.many(t.bypassReadClients).then((r) => r.length), { prelude: identityPrelude(w.seller) });
      let code: string | undefined;
      await db.many(t.bypassReadClients).catch((err) => (code = err.sqlState));
      expect(code).to.equal('42501');
    } finally {
      await db.close();
    }
  });
});
