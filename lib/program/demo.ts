/**
 * Demo data for `epic-events --demo <department>`: the spec's samples (Kevin
 * Casey of Cool Startup LLC, the John Ouick wedding, the Lou Bouzin general
 * assembly) and a few more, so every filter, report and the login digest show
 * something. Loaded once, dated relative to the day it is loaded.
 */
import crypto from 'node:crypto';
import type { AdminConnection } from '../db/index.js';
import { bind, queries } from '../db/sql.js';
import { hashPassword } from '../auth/passwords.js';
import type { Department } from '../domain/departments.js';

const q = queries('demo', ['demoLoaded', 'demoUser', 'demoClient', 'demoContract', 'demoEvent', 'demoUserByDepartment', 'demoHistory', 'demoResetSessions', 'demoReset'] as const);

export const DEMO_DATABASE = 'epic_demo';

type Id = { id: number };

/**
 * A day relative to `today` at a local time of day, as an ISO string: the
 * demo is always about now (events past and coming, contracts recent).
 */
export function demoDay(today: Date, offsetDays: number, hour = 10, minute = 0): string {
  return new Date(today.getFullYear(), today.getMonth(), today.getDate() + offsetDays, hour, minute).toISOString();
}

/**
 * Load the demo data unless it is there already (`reset`: everything in the
 * demo database is emptied first, and the data loaded again: --demo DEPT
 * --reset). Returns true when it was loaded now. Dates are relative to `today`: past and coming events (one in
 * the next days, one without a support contact), contracts signed and
 * unsigned, paid in full and with an amount due.
 */
export function loadDemoData(conn: AdminConnection, bcryptRounds: number, today: Date = new Date(), options: { reset?: boolean } = {}): Promise<boolean> {
  const day = (offset: number, hour?: number, minute?: number) => demoDay(today, offset, hour, minute);
  return conn.transaction(async (tx) => {
    if (options.reset) {
      await tx.exec(q.demoResetSessions);
      await tx.exec(q.demoReset);
    } else if ((await tx.one<{ loaded: boolean }>(q.demoLoaded))?.loaded) return false;
    // Nobody logs in to the demo with a password: each gets a random one.
    const hash = await hashPassword(crypto.randomBytes(24).toString('base64url'), Math.min(bcryptRounds, 10));
    const user = async (fullName: string, email: string, phone: string, department: Department, number: string) =>
      (await tx.one<Id>(q.demoUser, bind(q.demoUser, { fullName, email, phone, department, passwordHash: hash, employeeNumber: number })))!.id;

    await user('Morgan Admin', 'morgan.admin@demo.epic.events', '+33 1 23 45 67 89', 'management', 'DEMO-M1');
    const bill = await user('Bill Boquet', 'bill.boquet@demo.epic.events', '+33 6 11 22 33 44', 'sales', 'DEMO-S1');
    const ana = await user('Ana Vente', 'ana.vente@demo.epic.events', '+33 6 55 66 77 88', 'sales', 'DEMO-S2');
    const kate = await user('Kate Hastroff', 'kate.hastroff@demo.epic.events', '+33 6 99 88 77 66', 'support', 'DEMO-P1');
    const alienor = await user('Aliénor Vichum', 'alienor.vichum@demo.epic.events', '+33 6 12 12 12 12', 'support', 'DEMO-P2');

    const client = async (fullName: string, email: string, phone: string, company: string | null, created: string, updated: string, sales: number | null) =>
      (await tx.one<Id>(q.demoClient, bind(q.demoClient, { fullName, email, phone, companyName: company, createdAt: created, updatedAt: updated, salesContactId: sales })))!.id;
    const kevin = await client('Kevin Casey', 'kevin@startup.io', '+678 123 456 78', 'Cool Startup LLC', day(-590), day(-20), bill);
    const john = await client('John Ouick', 'john.ouick@gmail.com', '+33 6 01 02 03 04', null, day(-400), day(-30), bill);
    const lou = await client('Lou Bouzin', 'lou.bouzin@mufflins.fr', '+33 2 54 00 00 00', 'Mufflins SA', day(-450), day(-60), ana);
    const acme = await client('Wile E. Coyote', 'wile@acme.example', '+1 555 0100', 'Acme Corporation', day(-200), day(-200), ana);
    await client('Orphan Client', 'orphan@example.org', '+33 6 00 00 00 01', null, day(-180), day(-180), null);

    const contract = async (clientId: number, total: string, due: string, created: string, signed: string | null) =>
      (await tx.one<Id>(q.demoContract, bind(q.demoContract, { clientId, totalAmount: total, amountDue: due, createdAt: created, signedAt: signed })))!.id;
    const wedding = await contract(john, '12000.00', '0.00', day(-330), day(-320)); // signed, paid in full
    const assembly = await contract(lou, '4500.00', '1500.00', day(-50), day(-40)); // signed, 1500.00 due
    const summer = await contract(lou, '6000.00', '0.00', day(-130), day(-120));
    await contract(kevin, '8000.00', '8000.00', day(-15), null); // unsigned, unpaid
    const launch = await contract(kevin, '2500.50', '0.00', day(-70), day(-60));
    await contract(john, '3000.00', '3000.00', day(-4), day(-3)); // signed, nothing paid yet, no event yet
    await contract(acme, '999.99', '999.99', day(-5), null);

    const event = async (contractId: number, name: string, start: string, end: string, support: number | null, location: string, attendees: number, notes: string | null) =>
      (await tx.one<Id>(q.demoEvent, bind(q.demoEvent, { contractId, name, startAt: start, endAt: end, supportContactId: support, location, attendees, notes })))!.id;
    await event(wedding, 'John Ouick Wedding', day(4, 15), day(5, 2), kate,
      '53 Rue du Château, 41120 Candé-sur-Beuvron, France', 75,
      'Wedding starts at 3PM, by the river. Catering is organized, reception starts at 5PM. Kate needs to organize the DJ for after party.');
    await event(assembly, 'General Assembly', day(-10, 17), day(-10, 19), alienor,
      'Salle des fêtes de Mufflins', 200, 'General assembly of the shareholders (~200 people).');
    await event(summer, 'Mufflins Summer Party', day(-90, 19), day(-90, 23, 30), kate, 'Parc de Mufflins', 120, null);
    await event(launch, 'Cool Startup Product Launch', day(12, 19), day(13, 0), null,
      'Station F, 5 Parvis Alan Turing, 75013 Paris', 150, null);

    await tx.exec(q.demoHistory);
    return true;
  }, { asOwner: true });
}

/** The demo collaborator a department logs in as. */
export async function demoUserId(conn: AdminConnection, department: Department): Promise<number> {
  const row = await conn.transaction((tx) => tx.one<Id>(q.demoUserByDepartment, bind(q.demoUserByDepartment, { department })), { asOwner: true });
  if (!row) throw new Error(`no demo collaborator in ${department}`);
  return row.id;
}
