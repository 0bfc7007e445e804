/**
 * Tab completion of client and collaborator names (issue 34): where an
 * argument takes one, Tab offers ids with the name as a comment, from one
 * statement under the caller's session, at most 20, never waiting longer
 * than 50 ms.
 */
import { expect } from 'chai';
import { completeName, namePosition, WAIT_MS } from '../../lib/shell/name-completion.js';
import { openShell } from '../../lib/shell/index.js';
import { createCandidates, MAX_CANDIDATES } from '../../lib/crm/candidates.js';
import { endSession } from '../../lib/auth/sessions.js';
import { addClient, buildWorld, type World } from '../support/fixtures.js';
import { FakeTerminal } from '../support/fake-api.js';
import { liveLogin } from '../support/live-login.js';
import { depsFor } from '../support/users.js';
import { ctx, resetData } from '../support/server.js';

describe('completion of names', () => {
  it('knows from the method descriptions which argument or key takes a client or a collaborator', () => {
    expect(namePosition('events.assign(4, kat')).to.deep.equal({ kind: { of: 'collaborator', department: 'support' }, partial: 'kat' });
    expect(namePosition('clients.assign(12,bo')).to.deep.equal({ kind: { of: 'collaborator', department: 'sales' }, partial: 'bo' });
    expect(namePosition('clients.get(kev')).to.deep.equal({ kind: { of: 'client' }, partial: 'kev' });
    expect(namePosition('x = await clients.followUp(kev')).to.deep.equal({ kind: { of: 'client' }, partial: 'kev' });
    expect(namePosition("contracts.list({signed: true, clientId: kev")).to.deep.equal({ kind: { of: 'client' }, partial: 'kev' });
    expect(namePosition('users.delete(3, {reassignTo: al')).to.deep.equal({ kind: { of: 'collaborator' }, partial: 'al' });
    // Not at a name: the event's own id, a number, inside a string, a closed call, a key that names no one.
    expect(namePosition('events.assign(ka')).to.equal(undefined);
    expect(namePosition('events.assign(4, 1')).to.equal(undefined);
    expect(namePosition("events.assign(4, 'ka")).to.equal(undefined);
    expect(namePosition('events.assign(4, 5) + ka')).to.equal(undefined);
    expect(namePosition('clients.list({search: kev')).to.equal(undefined);
    expect(namePosition('kat')).to.equal(undefined);
  });

  it('offers nothing when the candidates come later than the wait, and the line goes on to other completion', async () => {
    const slow = () => new Promise<Array<{ id: number; name: string }>>((resolve) => setTimeout(() => resolve([{ id: 1, name: 'Kate' }]), WAIT_MS * 4));
    const started = Date.now();
    expect(await completeName('events.assign(4, ka', slow)).to.equal(undefined);
    expect(Date.now() - started).to.be.lessThan(WAIT_MS * 3);
    await new Promise((r) => setTimeout(r, WAIT_MS * 5));
    expect(await completeName('events.assign(4, ka', slow)).to.deep.equal([['1 /* Kate */'], 'ka']);
    expect(await completeName('events.assign(4, ka', async () => [{ id: 7, name: 'Evil */ \x1b[2J' }])).to.deep.equal([['7 /* Evil * / \\x1b[2J */'], 'ka']);
  });

  describe('against the database', () => {
    let w: World;
    beforeEach(async () => {
      await resetData();
      w = await buildWorld();
    });

    it('Tab in the shell completes the id with the name as a comment, from the department the argument takes', async () => {
      const opened = openShell(liveLogin(ctx().config, ctx().db, w.manager), new FakeTerminal().io());
      // The first Tab of a shell may give up waiting for its connection; the same Tab again gets the late answer.
      const shell = { ...opened, complete: async (line: string) => {
        const first = await opened.complete(line);
        if (first[0].length > 0) return first;
        await new Promise((r) => setTimeout(r, 300));
        return opened.complete(line);
      } };
      expect(await shell.complete('events.assign(4, kat')).to.deep.equal([[`${w.kate.id} /* Kate Support */`], 'kat']);
      // Lou Support is found by the second word of the name; a salesperson is not offered for an event.
      expect(await shell.complete('events.assign(4, sup')).to.deep.equal([[`${w.kate.id} /* Kate Support */`, `${w.lou.id} /* Lou Support */`], 'sup']);
      expect(await shell.complete('events.assign(4, alic')).to.not.deep.include([`${w.alice.id} /* Alice Sales */`]);
      expect(await shell.complete('clients.assign(1, alic')).to.deep.equal([[`${w.alice.id} /* Alice Sales */`], 'alic']);
      expect(await shell.complete('clients.get(Client')).to.deep.equal([[`${w.clientA} /* Client of Alice */`, `${w.clientB} /* Client of Bob */`], 'Client']);
      shell.server.close();
      await shell.done;
    });

    it('offers at most 20, takes LIKE wildcards literally, and nothing without a valid session', async () => {
      for (let i = 0; i < MAX_CANDIDATES + 5; i++) await addClient(`Kevin ${String(i).padStart(2, '0')}`, `k${i}@c.test`, w.alice.id);
      await addClient('100% Events', 'pct@c.test', w.alice.id);
      const candidates = createCandidates(depsFor(w.alice));
      expect(await candidates({ of: 'client' }, 'kev')).to.have.length(MAX_CANDIDATES);
      expect((await candidates({ of: 'client' }, 'Kevin 2')).map((c) => c.name)).to.deep.equal(['Kevin 20', 'Kevin 21', 'Kevin 22', 'Kevin 23', 'Kevin 24']);
      expect(await candidates({ of: 'client' }, '%')).to.deep.equal([]);
      expect(await candidates({ of: 'client' }, '_')).to.deep.equal([]);
      await endSession(ctx().db, w.alice.sessionKey);
      expect(await candidates({ of: 'client' }, 'kev').catch(() => [])).to.deep.equal([]);
    });
  });
});
