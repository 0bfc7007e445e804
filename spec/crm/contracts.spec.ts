import { expect } from 'chai';
import { testQueries } from '../support/test-queries.js';
import { Conflict, NotFound, PermissionDenied, ValidationError } from '../../lib/domain/errors.js';
import { addClient, addContract, apiAs, buildWorld, expectRefused, recordingMonitor, rejection } from '../support/fixtures.js';
import { asOwner } from '../support/owner.js';
import { HOLD, Sessions, together } from '../support/concurrent.js';
import { ctx, resetData } from '../support/server.js';

const t = testQueries(['contractVersion'] as const);
const versionOf = async (id: number) => (await asOwner((c) => c.one<{ version: number }>(t.contractVersion, [id])))?.version;

describe('contracts', () => {
  beforeEach(resetData);

  it("create returns exact amounts and the client's details and sales contact", async () => {
    const w = await buildWorld();
    const k = await apiAs(w.manager).contracts.create({ clientId: w.clientA, totalAmount: 1500.1, amountDue: '500' });
    expect(k).to.include({ clientId: w.clientA, clientName: 'Client of Alice', clientEmail: 'a@client.test', clientPhone: null, salesContactId: w.alice.id, salesContactName: 'Alice Sales', totalAmount: '1500.10', amountDue: '500.00', signed: false, signedAt: null });
  });

  it('amountDue defaults to the total and signed: true records (and reports) the signature', async () => {
    const w = await buildWorld();
    const monitor = recordingMonitor();
    const k = await apiAs(w.manager, monitor).contracts.create({ clientId: w.clientB, totalAmount: '1500', signed: true });
    expect(k.amountDue).to.equal('1500.00');
    expect(k.signed).to.equal(true);
    expect(k.signedAt).to.be.instanceOf(Date);
    expect(monitor.events).to.deep.equal([{ name: 'contract.signed', data: { contractId: k.id, clientId: w.clientB, actorId: w.manager.id } }]);
  });

  for (const [label, fields] of [
    ['12.345', { totalAmount: '12.345' }], ['-1', { totalAmount: -1 }], ['NaN', { totalAmount: Number.NaN }], ["'1e3'", { totalAmount: '1e3' }],
    ['due above total', { totalAmount: '100', amountDue: '100.01' }],
  ] as const) {
    it(`create refuses ${label} with a ValidationError and inserts nothing`, async () => {
      const w = await buildWorld();
      const err = await expectRefused(() => apiAs(w.manager).contracts.create({ clientId: w.clientA, ...fields }));
      expect(err).to.be.instanceOf(ValidationError);
    });
  }

  it('create lists every bad field at once', async () => {
    const w = await buildWorld();
    const err = await rejection(apiAs(w.manager).contracts.create({ clientId: 0, totalAmount: 'x', amountDue: -3, signed: 'yes', total: 1 } as never));
    expect((err as ValidationError).problems.map((p) => p.field).sort()).to.deep.equal(['amountDue', 'clientId', 'signed', 'total', 'totalAmount']);
  });

  it('create for a missing client is NotFound and inserts nothing', async () => {
    const w = await buildWorld();
    expect(await expectRefused(() => apiAs(w.manager).contracts.create({ clientId: 9999, totalAmount: '10' }))).to.be.instanceOf(NotFound);
  });

  it('update changes the amounts exactly and bumps the version', async () => {
    const w = await buildWorld();
    const v = await versionOf(w.contractA);
    const k = await apiAs(w.alice).contracts.update(w.contractA, { totalAmount: '1200.5', amountDue: 0.3 });
    expect(k).to.include({ totalAmount: '1200.50', amountDue: '0.30' });
    expect(await versionOf(w.contractA)).to.equal((v as number) + 1);
  });

  it('update refuses a total below the current amount due (checked against the stored row)', async () => {
    const w = await buildWorld();
    const err = await expectRefused(() => apiAs(w.manager).contracts.update(w.contractA, { totalAmount: '999.99' }));
    expect(err).to.be.instanceOf(ValidationError);
    expect(err.message).to.match(/amountDue must not exceed the total amount \(1000\.00 > 999\.99\)/);
  });

  it('update refuses changing signed or clientId, naming the right way', async () => {
    const w = await buildWorld();
    const err = await rejection(apiAs(w.manager).contracts.update(w.contractA, { signed: true, clientId: w.clientB } as never));
    expect(err.message).to.match(/signed cannot be changed by update: use contracts.sign\(id\)/).and.match(/clientId cannot be changed/);
  });

  it("refuses a salesperson signing a colleague's client's contract, saying whose it is", async () => {
    const w = await buildWorld();
    const err = await expectRefused(() => apiAs(w.alice).contracts.sign(w.contractB));
    expect(err).to.be.instanceOf(PermissionDenied);
    expect(err.message).to.equal(`sales may only sign contracts of their own clients (contract ${w.contractB} is for client ${w.clientB}, who belongs to bob@epic.events)`);
  });

  it('sign records the signature and reports it to monitoring (contract, client, actor)', async () => {
    const w = await buildWorld();
    const monitor = recordingMonitor();
    const k = await apiAs(w.alice, monitor).contracts.sign(w.contractA);
    expect(k.signed).to.equal(true);
    expect(monitor.events).to.deep.equal([{ name: 'contract.signed', data: { contractId: w.contractA, clientId: w.clientA, actorId: w.alice.id } }]);
  });

  it('signing twice is a Conflict saying when it was signed, changes nothing and reports nothing', async () => {
    const w = await buildWorld();
    const monitor = recordingMonitor();
    const err = await expectRefused(() => apiAs(w.manager, monitor).contracts.sign(w.signedA));
    expect(err).to.be.instanceOf(Conflict);
    expect(err.message).to.match(new RegExp(`^contract ${w.signedA} is already signed \\(on \\d{4}-`));
    expect(monitor.events).to.deep.equal([]);
  });

  it('two sessions signing the same contract at once: exactly one succeeds, the other gets Conflict', async () => {
    const w = await buildWorld();
    const sessions = new Sessions();
    const [manager, alice] = [sessions.open(w.manager), sessions.open(w.alice)];
    // Both wait on the held row, then race for it: the second finds it signed.
    const outcomes = await together(HOLD.contract, w.contractA, [() => manager.contracts.sign(w.contractA), () => alice.contracts.sign(w.contractA)])
      .finally(() => sessions.close());
    expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
    const failure = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(failure.reason).to.be.instanceOf(Conflict);
  });

  it('filters signed, unpaid, mine and clientId return exactly the right rows among decoys', async () => {
    const w = await buildWorld();
    // World: contractA/B unsigned and unpaid; signedA/B signed and paid; two more signed, paid (with events).
    const paidUnsigned = await addContract(w.clientA, '10.00', '0.00', false);
    const unpaidSigned = await addContract(w.clientB, '10.00', '0.01', true);
    const orphanClient = await addClient('Orphan', 'orphan@x.test', null);
    const orphanContract = await addContract(orphanClient, '10.00', '10.00', false);
    const ids = async (f: Parameters<ReturnType<typeof apiAs>['contracts']['list']>[0], who = w.kate) => (await apiAs(who).contracts.list(f)).rows.map((k) => k.id);
    expect(await ids({ signed: false })).to.deep.equal([w.contractA, w.contractB, paidUnsigned, orphanContract]);
    expect(await ids({ unpaid: true })).to.deep.equal([w.contractA, w.contractB, unpaidSigned, orphanContract]);
    expect(await ids({ signed: true, unpaid: true })).to.deep.equal([unpaidSigned]);
    expect(await ids({ mine: true }, w.bob)).to.deep.equal((await ids({ clientId: w.clientB })));
    expect(await ids({ clientId: orphanClient })).to.deep.equal([orphanContract]);
  });
});
