/**
 * Notices at the prompt: when something concerns the collaborator — a
 * contract of their client signed or paid, an event assigned to them or
 * changed, a client given to them, one of their follow-ups falling due —
 * their open shells print one line above the prompt, and redraw what is being
 * typed. Only the interactive shell on a terminal (never scripts, --eval or
 * piped input); `config.set('notices', false)` silences them.
 *
 * The database announces new history entries (LISTEN epic_change, migration
 * 033) by their ids only; the shell reads them under its own session
 * (lib/crm/notices.ts), so the row policies decide what it learns. Follow-ups
 * fall due with no change to announce: the shell asks every DUE_CHECK_MS.
 */
import readline from 'node:readline';
import type { REPLServer } from 'node:repl';
import type { Writable } from 'node:stream';
import type { ChangeNotice, DueNotice, Notices } from '../crm/notices.js';
import { fitCell, formatMoney, paint, visible } from './output.js';
import type { Login } from './login.js';

export const DUE_CHECK_MS = 15_000;
const RETRY_MS = 5_000;

const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;

/** One history entry as its notice line. */
export function changeLine(n: ChangeNotice): string {
  const name = n.recordName ?? '';
  const what = (() => {
    switch (`${n.object} ${n.action}`) {
      case 'contract signed': return `signed contract ${n.recordId} (${name}, ${formatMoney(n.totalAmount ?? '0')})`;
      case 'contract payment': return `recorded a payment on contract ${n.recordId} (${name}, ${formatMoney(n.amountDue ?? '0')} still due)`;
      case 'event assigned': return `assigned event ${n.recordId} (${name}) to you`;
      case 'event updated': return `changed event ${n.recordId} (${name}): ${Object.keys(n.changes ?? {}).join(', ')}`;
      case 'client assigned': return `gave you client ${n.recordId} (${name})`;
      default: return `${n.action} ${n.object} ${n.recordId} (${name})`;
    }
  })();
  return visible(`[${hhmm(new Date(n.at))}] ${n.actorName} ${what}`);
}

export function dueLine(n: DueNotice): string {
  return visible(`[${hhmm(new Date(n.dueAt))}] Follow-up due: ${n.clientName}, ${n.note} (followUps.done(${n.id}))`);
}

/**
 * Listens while the shell is open and hands each notice line to `show`.
 * A failure to listen or read is retried quietly: notices are a courtesy,
 * never a reason for the shell to stop.
 */
export class NoticeBoard {
  private subscription?: { readonly connected: boolean; close(): Promise<void> };
  private timer?: NodeJS.Timeout;
  private closed = false;
  private dueSince = new Date();
  private reading: Promise<void> = Promise.resolve();

  constructor(private readonly login: Login, private readonly show: (line: string) => void) {}

  start(): void {
    const { listenChanges, notices } = { listenChanges: this.login.listenChanges, notices: this.login.api.notices };
    if (!listenChanges || !notices) return;
    this.listen(listenChanges, notices);
    this.timer = setInterval(() => this.checkDue(notices), DUE_CHECK_MS);
    this.timer.unref();
  }

  private listen(listenChanges: NonNullable<Login['listenChanges']>, notices: Notices): void {
    if (this.closed) return;
    listenChanges((payload) => this.onPayload(payload, notices)).then(async (sub) => {
      if (this.closed) return sub.close();
      this.subscription = sub;
    }, () => {
      if (!this.closed) setTimeout(() => this.listen(listenChanges, notices), RETRY_MS).unref();
    });
  }

  private onPayload(payload: string, notices: Notices): void {
    const m = /^(\d+)-(\d+)$/.exec(payload);
    if (!m || this.closed) return;
    // In order: one read at a time.
    this.reading = this.reading.then(async () => {
      const rows = await notices.changes(Number(m[1]), Number(m[2])).catch(() => []);
      if (!this.closed) for (const row of rows) this.show(changeLine(row));
    });
  }

  private checkDue(notices: Notices): void {
    const until = new Date();
    const since = this.dueSince;
    this.reading = this.reading.then(async () => {
      const rows = await notices.fallingDue(since, until).catch(() => undefined);
      if (!rows) return;
      this.dueSince = until;
      if (!this.closed) for (const row of rows) this.show(dueLine(row));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.subscription?.close().catch(() => undefined);
  }
}

export interface NoticeScreen {
  server: REPLServer;
  output: Writable & { columns?: number };
  /** Whether notices show now (config.set('notices', false)). */
  enabled: () => boolean;
  /** Whether a line is being evaluated or a question asked: the notice waits. */
  busy: () => boolean;
  color: boolean;
  width?: number;
}

/**
 * Notices for the interactive shell: each line, fitted to the terminal's
 * width, is printed above the prompt once nothing runs, and the prompt and
 * what is being typed are drawn again (cursor kept where it was).
 */
export function showNotices(login: Login, screen: NoticeScreen): NoticeBoard {
  const pending: string[] = [];
  let retry: NodeJS.Timeout | undefined;
  const drain = (): void => {
    retry = undefined;
    if (pending.length === 0) return;
    if (screen.busy()) {
      retry = setTimeout(drain, 100);
      retry.unref();
      return;
    }
    const width = Math.max(20, (screen.width ?? screen.output.columns ?? 80) - 1);
    readline.cursorTo(screen.output, 0);
    readline.clearScreenDown(screen.output);
    for (const line of pending.splice(0)) screen.output.write(`${paint(fitCell(line, width), 'dim', screen.color)}\n`);
    screen.server.displayPrompt(true);
  };
  const board = new NoticeBoard(login, (line) => {
    if (!screen.enabled()) return;
    pending.push(line);
    if (!retry) drain();
  });
  board.start();
  screen.server.once('exit', () => {
    if (retry) clearTimeout(retry);
    void board.close();
  });
  return board;
}
