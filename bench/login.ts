/**
 * Issue 27's figures (BENCH_ONLY=login): a login now makes the session's own
 * database role (sql/migrations/040), and the first call after it opens the
 * first connection as that role (SCRAM). Both are reported against a
 * baseline measured in the same run: the login against a refused login (the
 * same throttle and bcrypt compare, nothing created), the first call against
 * the next one on the same, warm pool.
 */
import { checkPassword } from '../lib/auth/login.js';
import { endSession } from '../lib/auth/sessions.js';
import { createApi } from '../lib/crm/api.js';
import { Database, SessionPools } from '../lib/db/index.js';
import { noopMonitor } from '../lib/platform/monitoring.js';
import { median, type BenchWorld } from './harness.js';

type Ratio = (figure: string, value: number, baseline: number, maxRatio: number | undefined) => void;

export async function loginFigures(world: BenchWorld, email: string, contractId: number, ratioRow: Ratio, progress: (line: string) => void): Promise<void> {
  progress('login with a session role, first call after it');
  const runtime = new Database(world.target.runtime, { max: 1 });
  const pools = new SessionPools(world.target.runtime);
  const runs = 9;
  const logins: number[] = [];
  const refused: number[] = [];
  const firstCalls: number[] = [];
  const nextCalls: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      // An unknown email each time: the same compare, no lockout, nothing kept.
      let t0 = performance.now();
      await checkPassword(runtime, world.config, noopMonitor, `nobody-${i}-${Date.now()}@epic.events`, world.password);
      refused.push(performance.now() - t0);
      t0 = performance.now();
      const found = await checkPassword(runtime, world.config, noopMonitor, email, world.password);
      logins.push(performance.now() - t0);
      if (!found) throw new Error(`the bench's login as ${email} failed`);
      const actor = found.actor;
      const api = createApi({ db: pools.forActor(actor), actor: () => actor, config: world.config, monitor: noopMonitor });
      t0 = performance.now();
      await api.contracts.get(contractId);
      firstCalls.push(performance.now() - t0);
      t0 = performance.now();
      await api.contracts.get(contractId);
      nextCalls.push(performance.now() - t0);
      await pools.close();
      await endSession(runtime, actor.sessionKey);
    }
  } finally {
    await pools.close();
    await runtime.close();
  }
  ratioRow(`27 login (session + its own role, bcrypt ${world.config.bcryptRounds}) vs a refused login`, median(logins), median(refused), undefined);
  ratioRow('27 first call after login (connects as the session role) vs the next call', median(firstCalls), median(nextCalls), undefined);
}
