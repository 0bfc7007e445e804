/** Root hooks: one PostgreSQL for the whole run, stopped at the end. */
import { closeSessionPools, startTestDatabase, stopTestDatabase } from './support/server.js';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    await startTestDatabase();
  },
  // The sessions' pools (their roles' connections) never outlive a test.
  async afterEach() {
    await closeSessionPools();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopTestDatabase();
  },
};
