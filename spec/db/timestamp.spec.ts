/**
 * timestamptz read without pg's regular expression (lib/db/timestamp.ts):
 * every value the server prints, in time zones whose offsets have hours,
 * minutes or (historical local mean time) seconds, reads as pg's own parser
 * reads it.
 */
import { expect } from 'chai';
import { bind } from '../../lib/db/sql.js';
import { pgTimestamp } from '../../lib/db/driver.js';
import { isoFromTimestampText, timestampReader } from '../../lib/db/timestamp.js';
import { ctx } from '../support/server.js';
import { testQueries } from '../support/test-queries.js';

const t = testQueries(['setTimeZone', 'timestampSamples'] as const);
const time = (d: unknown) => (d instanceof Date ? d.getTime() : String(d));

describe('timestamps read from the server', () => {
  for (const zone of ['UTC', 'Europe/Paris', 'Asia/Kolkata', 'America/St_Johns', 'Europe/Amsterdam', 'Pacific/Chatham']) {
    it(`in ${zone}, every form reads as pg's parser reads it`, async () => {
      const rows = await ctx().admin.transaction(async (tx) => {
        await tx.exec(t.setTimeZone, bind(t.setTimeZone, { zone }));
        return tx.many<{ text: string; read: unknown }>(t.timestampSamples);
      });
      expect(rows).to.have.length(11);
      for (const { text, read } of rows) {
        expect(time(read), text).to.equal(time(pgTimestamp(text)));
        // Written to CSV straight from the text where it can be: the same ISO text as the Date's.
        const iso = isoFromTimestampText(text);
        if (iso !== undefined) expect(iso, text).to.equal((read as Date).toISOString());
        if (zone === 'UTC' && /^[1-9]\d{3}-/.test(text)) expect(iso, text).to.be.a('string');
      }
    });
  }

  it('hands every form it does not know to the fallback', () => {
    const seen: string[] = [];
    const read = timestampReader((text) => void seen.push(text));
    for (const text of ['infinity', '0044-03-15 12:00:00+00 BC', '12026-01-01 00:00:00+00', '1900-01-01 00:00:00+00:19:32', 'garbage']) read(text);
    expect(seen).to.have.length(5);
    expect((read('2026-06-04 13:00:00.5+05:30') as Date).toISOString()).to.equal('2026-06-04T07:30:00.500Z');
    expect((read('2026-06-04 13:00:00.123999-03:30') as Date).toISOString()).to.equal('2026-06-04T16:30:00.123Z');
    expect((read('0099-06-04 13:00:00+00') as unknown)).to.equal(undefined);
    expect((read('2026-06-04 13:00:00.1x+00') as unknown)).to.equal(undefined);
    expect(seen).to.have.length(7);
  });
});
