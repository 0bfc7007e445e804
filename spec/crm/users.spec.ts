import { expect } from 'chai';
import { checkPassword } from '../../lib/auth/login.js';
import { USERS } from '../../lib/crm/users.js';
import { createApi } from '../../lib/crm/api.js';
import { NotFound, PermissionDenied, ValidationError, Conflict } from '../../lib/domain/errors.js';
import { noopMonitor } from '../../lib/platform/monitoring.js';
import type { Actor } from '../../lib/domain/actor.js';
import { ctx, fingerprint, resetData } from '../support/server.js';
import { addClient, addCollaborator, addEvent, depsFor, owners, recordingMonitor } from '../support/users.js';

const GOOD = { fullName: 'Kate Hastroff', email: 'kate@epic.events', department: 'support' as const, password: 'a long enough password' };

async function refusal(call: () => Promise<unknown>): Promise<Error> {
  try {
    await call();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to be refused');
}

describe('crm/users', () => {
  let manager: Actor;
  beforeEach(async () => {
    await resetData();
    manager = await addCollaborator('management', 'boss@epic.events');
  });
  const users = (actor: Actor = manager) => createApi(depsFor(actor)).users;

  describe('create', () => {
    it('returns the record without any password hash and generates a unique employee number', async () => {
      const kate = await users().create(GOOD);
      const bob = await users().create({ ...GOOD, email: 'bob@epic.events', fullName: 'Bob' });
      expect(Object.keys(kate).sort()).to.deep.equal(['createdAt', 'department', 'email', 'employeeNumber', 'fullName', 'id', 'phone', 'updatedAt']);
      expect(JSON.stringify([kate, bob])).not.to.match(/\$2[aby]\$/);
      expect(kate.employeeNumber).to.match(/^EE\d{5}$/);
      expect(kate.employeeNumber).not.to.equal(bob.employeeNumber);
      expect(kate).to.include({ department: 'support', email: 'kate@epic.events', phone: null });
    });

    it('keeps a given employee number and refuses a duplicate with Conflict', async () => {
      expect((await users().create({ ...GOOD, employeeNumber: 'S-001' })).employeeNumber).to.equal('S-001');
      const before = await fingerprint();
      expect(await refusal(() => users().create({ ...GOOD, email: 'other@epic.events', employeeNumber: 'S-001' }))).to.be.instanceOf(Conflict);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('refuses a duplicate email (any case) with Conflict and changes nothing', async () => {
      await users().create(GOOD);
      const before = await fingerprint();
      expect(await refusal(() => users().create({ ...GOOD, email: 'KATE@epic.events' }))).to.be.instanceOf(Conflict);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('lists every bad field at once, unknown fields included, and changes nothing', async () => {
      const before = await fingerprint();
      const err = await refusal(() => users().create({ fullName: '', email: 'nope', department: 'finance', password: 'short', phon: '123' } as never));
      expect(err).to.be.instanceOf(ValidationError);
      expect((err as ValidationError).problems.map((p) => p.field).sort()).to.deep.equal(['department', 'email', 'fullName', 'password', 'phon']);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('refuses a password of 73+ bytes (30 emoji) with a clear message', async () => {
      const before = await fingerprint();
      const err = await refusal(() => users().create({ ...GOOD, password: '😀'.repeat(30) }));
      expect(err).to.be.instanceOf(ValidationError);
      expect(err.message).to.match(/password is 120 bytes long; at most 72 bytes/);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('accepts a password of exactly 72 bytes, and it logs in', async () => {
      const password = 'é'.repeat(36); // 36 characters, 72 bytes
      await users().create({ ...GOOD, password });
      const found = await checkPassword(ctx().db, ctx().config, noopMonitor, GOOD.email, password);
      expect(found?.actor.email).to.equal(GOOD.email);
    });

    it('reports collaborator.created with the actor and target ids only', async () => {
      const monitor = recordingMonitor();
      const created = await createApi({ ...depsFor(manager), monitor }).users.create(GOOD);
      expect(monitor.events).to.deep.equal([{ name: 'collaborator.created', data: { actorId: manager.id, targetId: created.id, department: 'support' } }]);
    });
  });

  describe('list and get', () => {
    it('pages by id, filters by department and searches name, email and employee number', async () => {
      for (let i = 0; i < 5; i++) await users().create({ ...GOOD, email: `s${i}@epic.events`, fullName: `Support ${i}` });
      await users().create({ ...GOOD, email: 'seller@epic.events', fullName: 'Seller 100%', department: 'sales' });
      const first = await users().list({ department: 'support', limit: 3 });
      expect(first.rows.map((r) => r.email)).to.deep.equal(['s0@epic.events', 's1@epic.events', 's2@epic.events']);
      expect(first.hasMore).to.equal(true);
      const second = await first.next();
      expect(second.rows.map((r) => r.email)).to.deep.equal(['s3@epic.events', 's4@epic.events']);
      expect(second.hasMore).to.equal(false);
      expect((await users().list({ search: '100%' })).rows.map((r) => r.email)).to.deep.equal(['seller@epic.events']);
      expect((await users().list({ search: '%' })).rows.map((r) => r.email)).to.deep.equal(['seller@epic.events']);
      expect(JSON.stringify((await users().list()).rows)).not.to.match(/\$2[aby]\$|password/i);
    });

    it('refuses an unknown filter', async () => {
      expect(await refusal(() => users().list({ departement: 'sales' } as never))).to.be.instanceOf(ValidationError);
    });

    it('gets one collaborator by id or by email (any case), NotFound otherwise', async () => {
      const kate = await users().create(GOOD);
      expect(await users().get(kate.id)).to.deep.equal(kate);
      expect(await users().get('Kate@Epic.Events')).to.deep.equal(kate);
      expect(await refusal(() => users().get(9999))).to.be.instanceOf(NotFound);
      expect(await refusal(() => users().get('ghost@epic.events'))).to.be.instanceOf(NotFound);
    });
  });

  describe('update', () => {
    it('changes the given fields only and can clear the phone', async () => {
      const kate = await users().create({ ...GOOD, phone: '+33 6 00 00 00 00' });
      const updated = await users().update(kate.id, { fullName: 'Kate H.', phone: null });
      expect(updated).to.include({ fullName: 'Kate H.', phone: null, email: GOOD.email, department: 'support' });
    });

    it('refuses an empty or misspelt change and changes nothing', async () => {
      const kate = await users().create(GOOD);
      const before = await fingerprint();
      expect(await refusal(() => users().update(kate.id, {}))).to.be.instanceOf(ValidationError);
      expect(await refusal(() => users().update(kate.id, { phon: '1' } as never))).to.be.instanceOf(ValidationError);
      expect(await refusal(() => users().update(kate.id, { password: '😀'.repeat(30) }))).to.be.instanceOf(ValidationError);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('leaves the clients of a salesperson moved to support unassigned when asked, or gives them to reassignTo', async () => {
      const seller = await addCollaborator('sales');
      const other = await addCollaborator('sales');
      const c1 = await addClient(seller.id);
      await users().update(seller.id, { department: 'support' }, { unassign: true });
      expect((await owners()).find((o) => o.id === c1)?.ownerId).to.equal(null);
      const c2 = await addClient(other.id);
      const third = await addCollaborator('sales');
      await users().update(other.id, { department: 'management' }, { reassignTo: third.id });
      expect((await owners()).find((o) => o.kind === 'client' && o.id === c2)?.ownerId).to.equal(third.id);
    });

    it('refuses to move the last management collaborator out of management', async () => {
      const before = await fingerprint();
      const err = await refusal(() => users().update(manager.id, { department: 'sales' }));
      expect(err).to.be.instanceOf(ValidationError);
      expect(err.message).to.match(/last management/);
      expect(await fingerprint()).to.deep.equal(before);
    });
  });

  describe('delete', () => {
    it('with {unassign: true} leaves their clients and events unassigned, never deleted', async () => {
      const seller = await addCollaborator('sales');
      const supporter = await addCollaborator('support');
      const eventId = await addEvent(seller.id, supporter.id);
      const clientId = await addClient(seller.id);
      const before = await fingerprint();
      const result = await users().delete(seller.id, { unassign: true });
      expect(result).to.include({ id: seller.id, clients: 2, events: 0, reassignedTo: null });
      await users().delete(supporter.id, { unassign: true });
      const after = await fingerprint();
      expect({ clients: after.clients, contracts: after.contracts, events: after.events }).to.deep.equal({ clients: before.clients, contracts: before.contracts, events: before.events });
      expect(after.users).to.equal(before.users - 2);
      const rows = await owners();
      expect(rows.filter((r) => r.id === clientId || r.kind === 'event').every((r) => r.ownerId === null)).to.equal(true);
      expect(rows.find((r) => r.kind === 'event' && r.id === eventId)?.ownerId).to.equal(null);
    });

    it('with reassignTo moves clients to a salesperson and events to a support collaborator', async () => {
      const seller = await addCollaborator('sales');
      const heir = await addCollaborator('sales');
      const supporter = await addCollaborator('support');
      const supportHeir = await addCollaborator('support');
      const eventId = await addEvent(seller.id, supporter.id);
      expect((await users().delete(seller.id, { reassignTo: heir.id })).reassignedTo).to.equal(`${heir.fullName} (id ${heir.id})`);
      await users().delete(supporter.id, { reassignTo: supportHeir.id });
      const rows = await owners();
      expect(rows.filter((r) => r.kind === 'client').map((r) => r.ownerId)).to.deep.equal([heir.id]);
      expect(rows.find((r) => r.kind === 'event' && r.id === eventId)?.ownerId).to.equal(supportHeir.id);
    });

    it('refuses a reassignTo of the wrong department, a missing one, or themselves, and changes nothing', async () => {
      const seller = await addCollaborator('sales');
      const supporter = await addCollaborator('support');
      await addClient(seller.id);
      const before = await fingerprint();
      expect((await refusal(() => users().delete(seller.id, { reassignTo: supporter.id }))).message).to.match(/clients go to a sales collaborator/);
      expect(await refusal(() => users().delete(seller.id, { reassignTo: 9999 }))).to.be.instanceOf(ValidationError);
      expect(await refusal(() => users().delete(seller.id, { reassignTo: seller.id }))).to.be.instanceOf(ValidationError);
      expect(await refusal(() => users().delete(seller.id, { reassign: 3 } as never))).to.be.instanceOf(ValidationError);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('refuses to delete yourself, or someone who does not exist', async () => {
      const before = await fingerprint();
      const self = await refusal(() => users().delete(manager.id));
      expect(self).to.be.instanceOf(ValidationError);
      expect(self.message).to.equal(`id ${manager.id} is you (${manager.fullName}): nobody may delete themselves; another management collaborator can`);
      const missing = await refusal(() => users().delete(9999));
      expect(missing).to.be.instanceOf(NotFound);
      expect(missing.message).to.equal('no collaborator has id 9999');
      expect(await fingerprint()).to.deep.equal(before);
    });
  });

  describe('nobody stranded (issue 15)', () => {
    it('refuses to delete a salesperson with clients without reassignTo or unassign, naming how many, and changes nothing', async () => {
      const seller = await addCollaborator('sales');
      await addClient(seller.id);
      await addClient(seller.id);
      const before = await fingerprint();
      const err = await refusal(() => users().delete(seller.id));
      expect(err).to.be.instanceOf(ValidationError);
      expect(err.message).to.match(/reassignTo is required: collaborator \d+ has 2 clients that would be left without a contact/);
      expect(await refusal(() => users().delete(seller.id, {}))).to.be.instanceOf(ValidationError);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('refuses to move a salesperson with clients out of sales without reassignTo or unassign, and changes nothing', async () => {
      const seller = await addCollaborator('sales');
      await addClient(seller.id);
      const before = await fingerprint();
      const err = await refusal(() => users().update(seller.id, { department: 'support' }));
      expect(err.message).to.match(/has 1 client that would be left without a contact; give \{reassignTo: <id of a sales collaborator>\} or \{unassign: true\}/);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('refuses to move a support collaborator with events out of support without reassignTo or unassign', async () => {
      const seller = await addCollaborator('sales');
      const supporter = await addCollaborator('support');
      await addEvent(seller.id, supporter.id);
      const before = await fingerprint();
      const err = await refusal(() => users().update(supporter.id, { department: 'sales' }));
      expect(err.message).to.match(/has 1 event that would be left without a contact; give \{reassignTo: <id of a support collaborator>\}/);
      expect(await refusal(() => users().delete(supporter.id))).to.be.instanceOf(ValidationError);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('refuses reassignTo and unassign together, or a mistyped unassign, and changes nothing', async () => {
      const seller = await addCollaborator('sales');
      const heir = await addCollaborator('sales');
      await addClient(seller.id);
      const before = await fingerprint();
      expect((await refusal(() => users().delete(seller.id, { reassignTo: heir.id, unassign: true }))).message).to.match(/unassign contradicts reassignTo/);
      expect((await refusal(() => users().delete(seller.id, { unassign: 'yes' } as never))).message).to.match(/unassign must be true or false/);
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('reports exactly what moved and to whom (counts, name and id)', async () => {
      const seller = await addCollaborator('sales');
      const heir = await addCollaborator('sales');
      const supporter = await addCollaborator('support');
      const supportHeir = await addCollaborator('support');
      await addClient(seller.id);
      await addClient(seller.id);
      await addEvent(heir.id, supporter.id);
      const updated = await users().update(seller.id, { department: 'support' }, { reassignTo: heir.id });
      expect(updated.moved).to.deep.equal({ clients: 2, events: 0, to: { id: heir.id, fullName: heir.fullName } });
      const deleted = await users().delete(supporter.id, { reassignTo: supportHeir.id });
      expect(deleted).to.include({ clients: 0, events: 1, reassignedTo: `${supportHeir.fullName} (id ${supportHeir.id})` });
      const unassigned = await users().delete(heir.id, { unassign: true });
      expect(unassigned).to.include({ clients: 3, events: 0, reassignedTo: null });
      expect((await users().update(supportHeir.id, { fullName: 'Renamed' })).moved).to.equal(undefined);
    });

    it('lets a collaborator who holds nothing leave or change department without options', async () => {
      const seller = await addCollaborator('sales');
      expect((await users().update(seller.id, { department: 'support' })).moved).to.deep.equal({ clients: 0, events: 0, to: null });
      expect(await users().delete(seller.id)).to.include({ clients: 0, events: 0, reassignedTo: null });
    });
  });

  describe('permissions', () => {
    for (const department of ['sales', 'support'] as const) {
      it(`refuses every users method to ${department} with PermissionDenied and changes nothing`, async () => {
        const caller = await addCollaborator(department);
        const target = await addCollaborator('support');
        const before = await fingerprint();
        const api = users(caller);
        const calls: Array<() => Promise<unknown>> = [
          () => api.list(),
          () => api.get(target.id),
          () => api.create(GOOD),
          () => api.update(target.id, { fullName: 'Hacked' }),
          () => api.delete(target.id),
        ];
        for (const call of calls) expect(await refusal(call)).to.be.instanceOf(PermissionDenied);
        expect(await fingerprint()).to.deep.equal(before);
      });
    }
  });
});
