/**
 * contracts.pay(id, amount) (issue 15): exact amounts, never more than is
 * due, signed contracts only, recorded as a "payment" in the contract's
 * history, and safe when payments arrive at once. The raw-SQL side is in
 * spec/security/payments-reports.spec.ts.
 */
import { expect } from 'chai';
import { Conflict, NotFound, PermissionDenied, ValidationError } from '../../lib/domain/errors.js';
import { addContract, apiAs, buildWorld, expectRefused, rejection, type World } from '../support/fixtures.js';
import { fingerprint, resetData } from '../support/server.js';

describe('contracts.pay', () => {
  let w: World;
  let owed: number;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
    owed = await addContract(w.clientA, '1000.00', '1000.00', true);
  });

  it('lowers the amount due exactly, from strings and from numbers', async () => {
    expect((await apiAs(w.alice).contracts.pay(owed, '250.10')).amountDue).to.equal('749.90');
    expect((await apiAs(w.manager).contracts.pay(owed, 0.1)).amountDue).to.equal('749.80');
    expect((await apiAs(w.manager).contracts.pay(owed, 749.8)).amountDue).to.equal('0.00');
  });

  it('is recorded in the contract history as a payment by the caller', async () => {
    await apiAs(w.alice).contracts.pay(owed, '400');
    const [entry] = (await apiAs(w.kate).contracts.history(owed)).rows;
    expect(entry).to.include({ action: 'payment', actorName: 'Alice Sales' });
    expect(entry.changes).to.deep.equal({ amountDue: [1000, 600] });
  });

  it('refuses more than is due, naming the amount and what is due, and changes nothing', async () => {
    await apiAs(w.manager).contracts.pay(owed, '999.99');
    const err = await expectRefused(() => apiAs(w.manager).contracts.pay(owed, '0.02'));
    expect(err).to.be.instanceOf(ValidationError);
    expect(err.message).to.match(/amount must not exceed the amount due on contract \d+ \(0\.02 > 0\.01\)/);
    await apiAs(w.manager).contracts.pay(owed, '0.01');
    const paidUp = await expectRefused(() => apiAs(w.manager).contracts.pay(owed, '1'));
    expect(paidUp.message).to.match(/amount is more than is due: contract \d+ is paid in full/);
    expect((await apiAs(w.manager).contracts.get(owed)).amountDue).to.equal('0.00');
  });

  it('refuses an unsigned contract with a Conflict saying to sign it first, and changes nothing', async () => {
    const err = await expectRefused(() => apiAs(w.alice).contracts.pay(w.contractA, '10'));
    expect(err).to.be.instanceOf(Conflict);
    expect(err.message).to.match(/contract \d+ is not signed: payments are recorded on signed contracts \(contracts.sign\(\d+\) first\)/);
  });

  for (const [label, amount] of [
    ['0', 0], ['a negative amount', -5], ['three decimals', '12.345'], ['a float sum (0.1 + 0.2)', 0.1 + 0.2], ['NaN', Number.NaN],
    ['Infinity', Infinity], ["'1e3'", '1e3'], ['an empty string', ''], ['null', null], ['an object', { amount: 5 }], ['nothing', undefined],
  ] as const) {
    it(`refuses ${label} as the amount with a ValidationError naming amount, and changes nothing`, async () => {
      const err = await expectRefused(() => apiAs(w.manager).contracts.pay(owed, amount as never));
      expect(err).to.be.instanceOf(ValidationError);
      expect((err as ValidationError).problems.map((p) => p.field)).to.deep.equal(['amount']);
    });
  }

  it('names every bad argument at once, and a missing contract is NotFound', async () => {
    const err = await rejection(apiAs(w.manager).contracts.pay(0, 'x' as never));
    expect((err as ValidationError).problems.map((p) => p.field)).to.deep.equal(['id', 'amount']);
    expect(await expectRefused(() => apiAs(w.manager).contracts.pay(99999, '1'))).to.be.instanceOf(NotFound);
  });

  it("refuses a salesperson paying a colleague's client's contract, and support altogether, changing nothing", async () => {
    const bobs = await addContract(w.clientB, '500.00', '500.00', true);
    const before = await fingerprint();
    const err = await rejection(apiAs(w.alice).contracts.pay(bobs, '1'));
    expect(err).to.be.instanceOf(PermissionDenied);
    expect(err.message).to.match(/sales may only record payments on contracts of their own clients \(contract \d+ is for client \d+, who belongs to bob@epic.events\)/);
    expect(await rejection(apiAs(w.kate).contracts.pay(owed, '1'))).to.be.instanceOf(PermissionDenied);
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('never overpays when payments arrive at once: each sees what the others left due', async () => {
    const calls = Array.from({ length: 8 }, (_, i) => apiAs(i % 2 ? w.alice : w.manager).contracts.pay(owed, '150.00'));
    const outcomes = await Promise.allSettled(calls);
    const paid = outcomes.filter((o) => o.status === 'fulfilled').length;
    const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason);
    expect(paid).to.equal(6);
    expect(refused).to.have.length(2);
    for (const err of refused) expect(err).to.be.instanceOf(ValidationError);
    expect((await apiAs(w.manager).contracts.get(owed)).amountDue).to.equal('100.00');
    const payments = (await apiAs(w.manager).contracts.history(owed, { limit: 50 })).rows.filter((e) => e.action === 'payment');
    expect(payments).to.have.length(6);
  });
});
