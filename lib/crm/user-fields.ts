/**
 * The fields only collaborators have (lib/crm/users.ts), read by validators in
 * the shape of lib/crm/validate.ts: a department, an employee number, a
 * password as the login rules accept it, a collaborator id, and the id or
 * email users.get takes.
 */
import { isDepartment, type Department, DEPARTMENTS } from '../domain/departments.js';
import { passwordProblem } from '../auth/passwords.js';
import { recordId, type Problems } from './validate.js';

const EMPLOYEE_NUMBER = /^[A-Za-z0-9-]{1,20}$/;

export function department(v: unknown, field: string, problems: Problems): Department | undefined {
  if (isDepartment(v)) return v;
  problems.add(field, `must be one of ${DEPARTMENTS.join(', ')}`);
  return undefined;
}

export function employeeNumber(v: unknown, field: string, problems: Problems): string | undefined {
  if (typeof v === 'string' && EMPLOYEE_NUMBER.test(v)) return v;
  problems.add(field, 'must be 1 to 20 letters, digits or dashes');
  return undefined;
}

export function password(v: unknown, field: string, problems: Problems): string | undefined {
  const problem = passwordProblem(v);
  if (problem) problems.add(field, problem);
  return problem ? undefined : (v as string);
}

/** A collaborator id (a number: a string is read as an email by get). */
export function userId(v: unknown, field: string, problems: Problems): number | undefined {
  if (typeof v === 'number') return recordId(v, field, problems);
  problems.add(field, 'must be a collaborator id (a number)');
  return undefined;
}

/** users.get: a collaborator id, or an email (a string with @). */
export function idOrEmail(v: unknown, field: string, problems: Problems): number | string | undefined {
  if (typeof v === 'string' && v.includes('@')) return v.trim();
  if (typeof v !== 'number') {
    problems.add(field, 'must be a collaborator id (number) or email address');
    return undefined;
  }
  return userId(v, field, problems);
}
