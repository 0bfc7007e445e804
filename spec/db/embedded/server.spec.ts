/** The embedded server's own words (lib/db/embedded/server.ts); the server itself is met in index.spec.ts. */
import { expect } from 'chai';
import { initdbReason } from '../../../lib/db/embedded/server.js';

describe('embedded server: why initdb failed', () => {
  it('names the cause, not initdb\'s own clean-up that follows it', () => {
    const output = [
      'The files belonging to this database system will be owned by user "postgres".',
      'initdb: error: could not create directory "/x/data/pg_wal": Permission denied',
      'initdb: removing contents of data directory "/x/data"',
    ].join('\n');
    expect(initdbReason(output)).to.equal('initdb: error: could not create directory "/x/data/pg_wal": Permission denied');
  });

  it('says the disk is full in plain words', () => {
    expect(initdbReason('creating subdirectories ... ok\nFATAL:  could not write to file "base/1/1249": No space left on device\ninitdb: removing data directory "/x"'))
      .to.equal('the disk is full (no space left on the device)');
  });

  it('falls back to the last line, or says none was given', () => {
    expect(initdbReason('something odd\n')).to.equal('something odd');
    expect(initdbReason('')).to.equal('no reason given');
  });
});
