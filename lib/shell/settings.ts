/**
 * Settings that stay: config.get/set/reset in the shell (everyone) for the
 * page size, the columns of each object's list, the vertical layout, the
 * pager, colour, the date format and the phone region. Each value is checked as it is set
 * (a ValidationError naming the setting and what it takes) and saved, only
 * where it differs from the default, in settings.json in the state
 * directory (0600, lib/platform/state.ts). A saved file that cannot be read, or a
 * value in it that no longer passes, is said in one line and left at its
 * default: the shell still starts.
 */
import { MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from '../crm/page.js';
import { ValidationError } from '../domain/errors.js';
import { readPrivateFile, writePrivateFile } from '../platform/state.js';
import { EXPANDED_MODES, VIEWS, columnsOf, resolveColumn, type ColumnChoice, type Expanded } from './layout.js';
import { DATE_TOKENS, setInputDateFormat } from '../platform/dates.js';
import { isPhoneRegion, setPhoneRegion } from '../crm/phone.js';
import type { Display } from './output.js';

export type ColorMode = 'auto' | 'on' | 'off';

export interface SettingValues {
  pageSize: number;
  expanded: Expanded;
  /** 'auto': $PAGER, else `less -FRSX`; 'off': never; else the command. */
  pager: string;
  color: ColorMode;
  /** 'local', 'iso' or a pattern of YYYY MM DD HH mm ss (lib/shell/output.ts formatDate). */
  dateFormat: string;
  /** Per object; an object not named shows its default view. */
  columns: Record<string, ColumnChoice>;
  /** The region a phone number without a country code is read in ('auto': the locale's, else FR; lib/crm/phone.ts). */
  phoneRegion: string;
  /** One line above the prompt when something concerns you (lib/shell/notices.ts). */
  notices: boolean;
}

export const DEFAULT_SETTINGS: Readonly<SettingValues> = Object.freeze({
  pageSize: DEFAULT_PAGE_SIZE,
  expanded: 'auto',
  pager: 'auto',
  color: 'auto',
  dateFormat: 'local',
  columns: {},
  phoneRegion: 'auto',
  notices: true,
});

export const DEFAULT_PAGER = 'less -FRSX';

type Check = (value: unknown, key: string) => unknown;

const describe = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value));
const refuse = (key: string, problem: string, value: unknown): never => {
  throw new ValidationError([{ field: key, problem: `${problem} (got ${describe(value)})` }]);
};

function oneOf<T extends string>(choices: readonly T[], aliases: Record<string, T> = {}): Check {
  return (value, key) => {
    const v = typeof value === 'boolean' ? String(value) : value;
    if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return v;
    if (typeof v === 'string' && aliases[v]) return aliases[v];
    return refuse(key, `must be ${choices.map((c) => `'${c}'`).join(', ').replace(/, ([^,]*)$/, ' or $1')}`, value);
  };
}

/** A list's columns: 'default', 'all', or a list of the object's columns (as named in lists: totalAmount, "total amount", total). */
export function checkColumns(object: string, value: unknown, key = 'columns'): ColumnChoice {
  const known = columnsOf(object);
  if (value === 'default' || value === 'all') return value;
  if (!Array.isArray(value) || value.length === 0 || !value.every((c) => typeof c === 'string')) {
    return refuse(key, `must be 'default', 'all' or a list of columns such as ['${known.slice(0, 3).join("', '")}']`, value);
  }
  const resolved: string[] = [];
  const unknown: string[] = [];
  for (const name of value as string[]) {
    const field = resolveColumn(name, known);
    if (field === undefined) unknown.push(name);
    else if (!resolved.includes(field)) resolved.push(field);
  }
  if (unknown.length) {
    throw new ValidationError([{ field: key, problem: `names no column ${unknown.map((u) => JSON.stringify(u)).join(', ')} of ${object} (its columns: ${known.join(', ')})` }]);
  }
  return resolved;
}

/** A number typed as text ('5') is the number when that is all it can mean. */
const asTyped = (value: unknown) => (typeof value === 'string' && /^\s*\d{1,6}\s*$/.test(value) ? Number(value) : value);

const CHECKS: Record<Exclude<keyof SettingValues, 'columns'>, Check> = {
  pageSize: (typed, key, value = asTyped(typed)) => (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_PAGE_SIZE ? value : refuse(key, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`, value)),
  expanded: oneOf(EXPANDED_MODES, { true: 'on', false: 'off' }),
  color: oneOf(['auto', 'on', 'off'] as const, { true: 'on', false: 'off' }),
  pager: (value, key) => {
    if (value === false) return 'off';
    if (typeof value !== 'string' || value.trim() === '' || /[\n\r\0]/.test(value)) return refuse(key, `must be 'auto' ($PAGER, else ${DEFAULT_PAGER}), 'off' or a command such as 'less -R'`, value);
    return value.trim();
  },
  notices: (value, key) => (typeof value === 'boolean' ? value : refuse(key, 'must be true or false', value)),
  dateFormat: (value, key) => {
    if (value === 'local' || value === 'iso') return value;
    const letters = typeof value === 'string' ? value.replace(DATE_TOKENS, '') : '';
    if (typeof value !== 'string' || value.length > 40 || /[A-Za-z]/.test(letters) || !new RegExp(DATE_TOKENS.source).test(value) || /[\0-\x1f\x7f]/.test(value)) {
      return refuse(key, "must be 'local', 'iso' or a pattern of YYYY MM DD HH mm ss such as 'DD/MM/YYYY HH:mm'", value);
    }
    return value;
  },
  phoneRegion: (value, key) => {
    const region = typeof value === 'string' ? value.toUpperCase() : value;
    if (value === 'auto' || (typeof region === 'string' && isPhoneRegion(region))) return value === 'auto' ? 'auto' : region;
    return refuse(key, "must be 'auto' (the locale's region, else FR) or a region code such as 'FR', 'BE', 'GB' or 'US'", value);
  },
};

export const SETTING_NAMES = [...Object.keys(CHECKS), ...Object.keys(VIEWS).map((o) => `columns.${o}`)];

/** A setting's name as given: the key it is and, for columns, the object. */
function settingKey(name: unknown): { key: keyof SettingValues; object?: string } {
  if (typeof name === 'string' && Object.prototype.hasOwnProperty.call(CHECKS, name)) return { key: name as keyof SettingValues };
  if (typeof name === 'string' && name.startsWith('columns.') && VIEWS[name.slice('columns.'.length)]) return { key: 'columns', object: name.slice('columns.'.length) };
  throw new ValidationError([{ field: 'setting', problem: `must be one of ${SETTING_NAMES.join(', ')} (got ${describe(name)})` }]);
}

export class Settings {
  private values: SettingValues = { ...DEFAULT_SETTINGS, columns: {} };

  /** `file`: where they are kept (none: for this session only). `warn`: a line about a saved file that could not be used. */
  constructor(readonly file: string | undefined, private readonly warn: (line: string) => void = () => undefined) {
    this.load();
    setInputDateFormat(this.values.dateFormat);
  }

  private load(): void {
    if (!this.file) return;
    let saved: unknown;
    try {
      const text = readPrivateFile(this.file);
      if (text === undefined) return;
      saved = JSON.parse(text);
    } catch (err) {
      this.warn(`settings not read, defaults used: ${(err as Error).message}`);
      return;
    }
    if (typeof saved !== 'object' || saved === null) return;
    for (const [name, value] of Object.entries(saved as Record<string, unknown>)) {
      const entries = name === 'columns' && typeof value === 'object' && value !== null ? Object.entries(value).map(([o, v]) => [`columns.${o}`, v] as const) : [[name, value] as const];
      for (const [key, v] of entries) {
        try {
          this.assign(key, v);
        } catch (err) {
          this.warn(`setting ${key} in ${this.file} ignored: ${(err as Error).message}`);
        }
      }
    }
  }

  private assign(name: unknown, value: unknown): void {
    const { key, object } = settingKey(name);
    if (object) this.values.columns[object] = checkColumns(object, value, `columns.${object}`);
    else (this.values as unknown as Record<string, unknown>)[key] = CHECKS[key as keyof typeof CHECKS](value, key);
    if (key === 'phoneRegion') setPhoneRegion(this.values.phoneRegion);
    if (key === 'dateFormat') setInputDateFormat(this.values.dateFormat);
  }

  private save(): void {
    if (!this.file) return;
    const changed: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this.values)) {
      if (key === 'columns') {
        const columns = Object.fromEntries(Object.entries(this.values.columns).filter(([, c]) => c !== 'default'));
        if (Object.keys(columns).length) changed.columns = columns;
      } else if (value !== (DEFAULT_SETTINGS as unknown as Record<string, unknown>)[key]) changed[key] = value;
    }
    writePrivateFile(this.file, `${JSON.stringify(changed, null, 2)}\n`);
  }

  /** Every setting (columns one per object), or one. */
  get(name?: unknown): unknown {
    if (name === undefined) {
      const { columns, ...rest } = this.values;
      return { ...rest, ...Object.fromEntries(Object.keys(VIEWS).map((o) => [`columns.${o}`, columns[o] ?? 'default'])) };
    }
    const { key, object } = settingKey(name);
    return object ? this.values.columns[object] ?? 'default' : this.values[key];
  }

  /** Check, set and save; returns the value as kept. */
  set(name: unknown, value: unknown): unknown {
    if (value === undefined) throw new ValidationError([{ field: typeof name === 'string' ? name : 'setting', problem: 'needs a value: config.set(name, value)' }]);
    this.assign(name, value);
    this.save();
    return this.get(name);
  }

  /** Back to the default: one setting, or all. */
  reset(name?: unknown): void {
    if (name === undefined) this.values = { ...DEFAULT_SETTINGS, columns: {} };
    else {
      const { key, object } = settingKey(name);
      if (object) delete this.values.columns[object];
      else (this.values as unknown as Record<string, unknown>)[key] = (DEFAULT_SETTINGS as unknown as Record<string, unknown>)[key];
    }
    setPhoneRegion(this.values.phoneRegion);
    setInputDateFormat(this.values.dateFormat);
    this.save();
  }

  /** Whether notices show at the prompt. */
  notices(): boolean {
    return this.values.notices !== false;
  }

  get pageSize(): number {
    return this.values.pageSize;
  }

  /** The pager command, or undefined for none. */
  pager(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const chosen = this.values.pager === 'auto' ? env.PAGER ?? DEFAULT_PAGER : this.values.pager;
    return chosen === 'off' || chosen.trim() === '' || chosen.trim() === 'cat' ? undefined : chosen;
  }

  /** Colour: the front-end's own choice unless set on or off. */
  color(auto: boolean): boolean {
    return this.values.color === 'auto' ? auto : this.values.color === 'on';
  }

  /** What the output layer reads (lib/shell/output.ts). */
  display(): Display {
    return { columns: this.values.columns, expanded: this.values.expanded, dateFormat: this.values.dateFormat };
  }
}
