import type { Department } from './permissions.js';

/** Who is calling: the logged-in collaborator, as verified from their token and the database. */
export interface Actor {
  id: number;
  email: string;
  fullName: string;
  department: Department;
  tokenVersion: number;
}
