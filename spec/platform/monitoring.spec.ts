import { expect } from 'chai';
import { noopMonitor } from '../../lib/platform/monitoring.js';
import { createApi } from '../../lib/crm/api.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMonitor, createScrubber, knownSecrets } from '../../lib/platform/monitoring.js';
import { writePrivateFile } from '../../lib/platform/state.js';
import { saveToken } from '../../lib/auth/store.js';
import { issueToken } from '../../lib/auth/tokens.js';
import { ctx, resetData } from '../support/server.js';
import { addCollaborator, depsFor } from '../support/users.js';
import { startReceiver } from '../support/sentry-receiver.js';

const JWT_SECRET = 'this-is-the-jwt-secret-of-the-monitoring-test-0123456789';
const FAKE_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl';
const FAKE_HASH = '$2b$12$abcdefghijklmnopqrstuu1234567890123456789012345678901';

describe('monitoring', () => {
  it('is the no-op monitor when no DSN is set', async () => {
    expect(await createMonitor({ ...ctx().config, sentryDsn: undefined })).to.equal(noopMonitor);
  });

  it('scrubs tokens, bcrypt hashes, URL passwords, configured secrets and secret-named keys', () => {
    const scrub = createScrubber([JWT_SECRET]);
    const out = scrub({ message: `t=${FAKE_TOKEN} h=${FAKE_HASH} url=postgres://epic:hunter2pw@db:5432/epic s=${JWT_SECRET}`, extra: { password: 'p4ssword!', userId: 3 } });
    expect(out.message).to.equal('t=[token] h=[hash] url=postgres://epic:[redacted]@db:5432/epic s=[redacted]');
    expect(out.extra).to.deep.equal({ password: '[redacted]', userId: 3 });
  });

  it('knows every generated secret: the JWT secret file, the embedded server\'s passwords, APP_DB_PASSWORD, the DSN and its key', () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-scrub-'));
    try {
      const fileSecret = 'generated-jwt-secret-in-the-state-directory-0123456789';
      writePrivateFile(path.join(stateDir, 'jwt-secret'), `${fileSecret}\n`);
      writePrivateFile(path.join(stateDir, 'postgres', 'server.json'), JSON.stringify({ port: 5432, superuserPassword: 'superuser-pw-abc123', appPassword: 'app-pw-def456' }));
      const config = { ...ctx().config, stateDir, jwtSecret: undefined, appDbPassword: 'configured/app@pw%', sentryDsn: 'https://dsnpublickey123@o1.ingest.example/42' };
      const scrub = createScrubber(() => knownSecrets(config));
      const leaks = [fileSecret, 'superuser-pw-abc123', 'app-pw-def456', 'configured/app@pw%', encodeURIComponent('configured/app@pw%'), 'dsnpublickey123', config.sentryDsn];
      const event = scrub({ message: leaks.join(' | '), extra: { detail: `connect postgres://epic_app:${encodeURIComponent('configured/app@pw%')}@h/db`, list: [fileSecret] } });
      const sent = JSON.stringify(event);
      for (const leak of leaks) expect(sent, leak).not.to.include(leak);
      expect(sent).to.include('[redacted]');
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it("knows the passwords of the sessions' own database roles, kept in the token store", async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-scrub-'));
    try {
      const config = { ...ctx().config, stateDir, jwtSecret: JWT_SECRET };
      const actor = await addCollaborator('sales');
      saveToken(config, actor.email, issueToken(JWT_SECRET, actor, ctx().installation));
      const password = actor.dbLogin?.password as string;
      expect(password).to.have.length(32);
      const event = createScrubber(() => knownSecrets(config))({ message: `connect as ${actor.dbLogin?.role} with ${password}` });
      expect(JSON.stringify(event)).not.to.include(password);
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
      await resetData();
    }
  });

  describe('with the real Sentry SDK and a local receiver', () => {
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    before(async () => {
      receiver = await startReceiver();
    });
    after(async () => {
      const Sentry = await import('@sentry/node');
      await Sentry.close(2000);
      await receiver.close();
    });
    beforeEach(resetData);

    it('sends collaborator events with actor and target ids and no secret; scrubs exceptions', async () => {
      const config = { ...ctx().config, jwtSecret: JWT_SECRET, sentryDsn: `http://publickey@127.0.0.1:${receiver.port}/1` };
      const monitor = await createMonitor(config);
      const manager = await addCollaborator('management');
      const users = createApi({ ...depsFor(manager), config, monitor }).users;
      const password = 'a secret password 42';
      const kate = await users.create({ fullName: 'Kate', email: 'kate@epic.events', department: 'support', password });
      await users.update(kate.id, { password: 'another secret pw 43' });
      await users.delete(kate.id);
      const ref = monitor.exception(new Error(`boom with ${FAKE_TOKEN} and ${FAKE_HASH} via postgres://epic:dbpass123@db/epic and ${JWT_SECRET}`));
      expect(ref).to.match(/^[0-9a-f]{8}$/);
      await monitor.flush(5000);

      const all = receiver.bodies.join('\n');
      for (const name of ['collaborator.created', 'collaborator.updated', 'collaborator.deleted']) expect(all).to.include(name);
      expect(all).to.include(`"actorId":${manager.id}`);
      expect(all).to.include(`"targetId":${kate.id}`);
      expect(all).to.include('boom with [token] and [hash]');
      for (const secret of [password, 'another secret pw 43', FAKE_TOKEN, FAKE_HASH, 'dbpass123', JWT_SECRET, ctx().config.appDbPassword as string]) {
        expect(all).not.to.include(secret);
      }
      expect(all).not.to.match(/\$2[aby]\$\d\d\$/);
    });
  });
});
