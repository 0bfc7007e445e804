/**
 * The three departments of Epic Events and the PostgreSQL role that holds
 * what each may do (sql/migrations/003_department_roles.sql).
 */
export const DEPARTMENTS = ['management', 'sales', 'support'] as const;
export type Department = (typeof DEPARTMENTS)[number];

export function isDepartment(value: unknown): value is Department {
  return typeof value === 'string' && (DEPARTMENTS as readonly string[]).includes(value);
}

/** The database role of a department: epic_management, epic_sales, epic_support. */
export function departmentRole(department: Department): string {
  return `epic_${department}`;
}
