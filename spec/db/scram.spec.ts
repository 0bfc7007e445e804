/** setup gives the runtime role a SCRAM verifier, never the password: the verifier must let the password in. */
import crypto from 'node:crypto';
import { expect } from 'chai';
import format from 'pg-format';
import { scramVerifier } from '../../lib/db/scram.js';
import { AdminConnection } from '../../lib/db/index.js';
import { testQueries } from '../support/test-queries.js';
import { ctx } from '../support/server.js';

const t = testQueries(['scramRole', 'dropScramRole'] as const);

describe('db/scram (the runtime role password as a SCRAM-SHA-256 verifier)', () => {
  const role = 'epic_scram_probe';
  after(async () => {
    await ctx().admin.exec({ ...t.dropScramRole, text: format(t.dropScramRole.text, role) });
  });

  it('has PostgreSQL\'s format and lets exactly that password log in', async () => {
    const password = crypto.randomBytes(18).toString('base64url');
    const verifier = scramVerifier(password);
    expect(verifier).to.match(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(verifier).not.to.include(password);
    await ctx().admin.exec({ ...t.scramRole, text: format(t.scramRole.text, role, verifier) });
    const params = { ...ctx().server.serverAdmin, user: role, password };
    const conn = await AdminConnection.open(params);
    await conn.close();
    const wrong = await AdminConnection.open({ ...params, password: `${password}x` }).then(() => 'connected', () => 'refused');
    expect(wrong).to.equal('refused');
  });
});
