/**
 * Tab inside a quoted argument that takes one of a fixed set of values:
 * setting names (`config.set('pa` → 'pageSize'), their values
 * (`config.set('expanded', '` → auto, on, off), departments
 * (`department: '`), `by` of reports.revenue, `object` of activity. A table of
 * rules, so that more (data-aware ones) can be added beside them. Pure string
 * work: nothing evaluated, no query.
 */
import { DEPARTMENTS } from '../domain/departments.js';
import { HISTORY_OBJECTS } from '../crm/history.js';
import { REVENUE_KEYS } from '../crm/reports.js';
import { EXPANDED_MODES } from './layout.js';
import { DEFAULT_SETTINGS } from './settings.js';
import type { Completion } from './repl-adapter.js';

/** A quoted value being typed: the text before the quote must match `before`; `choices` are what it may be. */
export interface ChoiceRule {
  before: RegExp;
  choices: (match: RegExpExecArray) => readonly string[];
}

const settingNames = (): string[] => Object.keys(DEFAULT_SETTINGS).flatMap((k) => (k === 'columns' ? ['clients', 'contracts', 'events', 'users'].map((o) => `columns.${o}`) : [k]));

const SETTING_VALUES: Readonly<Record<string, readonly string[]>> = {
  expanded: EXPANDED_MODES,
  color: ['auto', 'on', 'off'],
  pager: ['auto', 'off'],
  dateFormat: ['local', 'iso', 'DD/MM/YYYY HH:mm', 'YYYY-MM-DD HH:mm'],
};

export const CHOICE_RULES: ChoiceRule[] = [
  { before: /config\.(?:get|set|reset)\(\s*$/, choices: settingNames },
  { before: /config\.set\(\s*['"]([\w.]+)['"]\s*,\s*$/, choices: (m) => SETTING_VALUES[m[1]] ?? (m[1].startsWith('columns.') ? ['default', 'all'] : []) },
  { before: /\bdepartment\s*:\s*$/, choices: () => DEPARTMENTS },
  { before: /reports\.revenue\(\s*\{[^}]*\bby\s*:\s*$/, choices: () => REVENUE_KEYS },
  { before: /\bactivity\(\s*\{[^}]*\bobject\s*:\s*$/, choices: () => [...HISTORY_OBJECTS] },
  { before: /\bcolumns\s*:\s*$/, choices: () => ['default', 'all'] },
];

/** The completion of a quoted fixed-choice value at the end of `line`, or undefined when none is being typed. */
export function completeChoice(line: string, rules: readonly ChoiceRule[] = CHOICE_RULES): Completion | undefined {
  const quoted = /(['"])([^'"\\]*)$/.exec(line);
  if (!quoted) return undefined;
  const before = line.slice(0, quoted.index);
  for (const rule of rules) {
    const m = rule.before.exec(before);
    if (!m) continue;
    const typed = quoted[2];
    return [rule.choices(m).filter((c) => c.startsWith(typed)), typed];
  }
  return undefined;
}
