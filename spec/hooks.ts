/** Root hooks: one PostgreSQL for the whole run, stopped at the end. */
import { startTestDatabase, stopTestDatabase } from './support/server.js';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    await startTestDatabase();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopTestDatabase();
  },
};
