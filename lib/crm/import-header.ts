/**
 * The header of an import file (CSV or the first sheet of a workbook): which
 * field each column fills. Headings are read case-, accent- and
 * space-insensitively, in English or French, and as our own export writes
 * them (field names or words); the export's columns an import cannot write
 * (id, times, the sales contact's id and name) are left out; `Prénom` +
 * `Nom` (`First name` + `Last name`) are joined into the full name; trailing
 * columns with no heading are ignored while they hold nothing.
 */
import { ValidationError } from '../domain/errors.js';
import { visible } from '../platform/text.js';

/** The fields a column can fill: a client's, and for management the sales contact (by email). */
export const IMPORT_FIELDS = ['fullName', 'email', 'phone', 'companyName', 'salesContact'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/**
 * What a column gives: a field; a part of the full name; the client's id
 * (our export's, used by onDuplicate 'update'); 'blank' (a trailing column
 * with no heading: must hold nothing); null (left out).
 */
export type ColumnRole = ImportField | 'firstName' | 'lastName' | 'id' | 'blank' | null;

/** A header as compared: no accents, no case, letters and digits only (`Téléphone` → `telephone`, `E-mail` → `email`). */
export function headerKey(header: string): string {
  return header.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/** A value as an error shows it: quoted and escaped, cut at 40 characters. */
export function shown(value: string): string {
  const chars = [...value];
  const cut = chars.length > 40 ? `${chars.slice(0, 40).join('')}…` : value;
  return visible(JSON.stringify(cut));
}

/** The headers known without a map, English and French, as headerKey reads them. */
const HEADERS: Record<string, ImportField | 'firstName' | 'lastName'> = {
  fullname: 'fullName', name: 'fullName', nomcomplet: 'fullName', clientname: 'fullName', client: 'fullName',
  firstname: 'firstName', prenom: 'firstName', givenname: 'firstName', forename: 'firstName',
  lastname: 'lastName', surname: 'lastName', familyname: 'lastName', nomdefamille: 'lastName',
  email: 'email', mail: 'email', emailaddress: 'email', courriel: 'email', adresseemail: 'email', adressemail: 'email',
  phone: 'phone', phonenumber: 'phone', telephone: 'phone', tel: 'phone', mobile: 'phone', portable: 'phone',
  mobilephone: 'phone', cellphone: 'phone', telportable: 'phone', telephoneportable: 'phone', gsm: 'phone',
  company: 'companyName', companyname: 'companyName', societe: 'companyName', entreprise: 'companyName',
  salescontact: 'salesContact', salescontactemail: 'salesContact', commercial: 'salesContact',
};

/** Our export's columns that an import cannot write (field names and words read alike): left out. */
const EXPORT_ONLY = new Set(['createdat', 'updatedat', 'salescontactid', 'salescontactname']);

/** Problems of the header named before the rest are counted. */
const MAX_HEADER_PROBLEMS = 20;

export type MapTarget = ImportField | null;

/** Which role each column has, or every problem of the header (its first line not empty: `line`) at once, bounded. */
export function readHeader(header: string[], file: string, map: Record<string, MapTarget>, mayName: (f: ImportField) => string | undefined, line = 1): ColumnRole[] {
  const problems: string[] = [];
  let more = 0;
  const add = (problem: string) => void (problems.length < MAX_HEADER_PROBLEMS ? problems.push(problem) : more++);
  let end = header.length;
  while (end > 0 && header[end - 1].trim() === '' && !Object.prototype.hasOwnProperty.call(map, '')) end--;
  const keys = header.map(headerKey);
  // `Nom` beside `Prénom` is the surname (the French norm); alone, the full name.
  const hasFirst = keys.some((k) => HEADERS[k] === 'firstName' && !Object.prototype.hasOwnProperty.call(map, k));
  let unknown = false;
  const columns: ColumnRole[] = header.map((h, i) => {
    if (i >= end) return 'blank';
    const key = keys[i];
    if (Object.prototype.hasOwnProperty.call(map, key)) return map[key];
    if (key === 'nom') return hasFirst ? 'lastName' : 'fullName';
    if (Object.prototype.hasOwnProperty.call(HEADERS, key)) return HEADERS[key];
    if (key === 'id') return 'id';
    if (EXPORT_ONLY.has(key)) return null;
    unknown = true;
    add(h.trim() === '' ? `column ${i + 1} has no name` : `column ${shown(h)} is not known`);
    return null;
  });
  const seen = new Map<string, string>();
  columns.forEach((role, i) => {
    if (!role || role === 'blank') return;
    const given = role === 'firstName' || role === 'lastName' ? 'fullName' : role;
    if (role !== 'id') {
      const refusal = mayName(role as ImportField);
      if (refusal) add(`column ${shown(header[i])}: ${refusal}`);
    }
    const first = seen.get(role);
    if (first !== undefined) add(`columns ${shown(first)} and ${shown(header[i])} both give ${given}`);
    else seen.set(role, header[i]);
  });
  const parts = ['firstName', 'lastName'].filter((r) => seen.has(r));
  if (parts.length === 1) add(`column ${shown(seen.get(parts[0]) as string)} gives only part of the name: a ${parts[0] === 'firstName' ? 'last name ("Nom", "Last name")' : 'first name ("Prénom", "First name")'} column is expected beside it`);
  if (parts.length && seen.has('fullName')) add(`columns ${shown(seen.get('fullName') as string)} and ${shown(seen.get(parts[0]) as string)} both give fullName`);
  if (!seen.has('fullName') && parts.length === 0) add('no column gives fullName (a header such as "Full name", "Nom complet", or "Prénom" and "Nom")');
  if (!seen.has('email')) add('no column gives email (a header such as "Email" or "E-mail")');
  if (problems.length) {
    const named = more > 0 ? [...problems, `… and ${more.toLocaleString('en-US')} more problems with the header`] : problems;
    const hint = unknown ? `; known headers: Full name (or Prénom and Nom), Email, Phone, Company${mayName('salesContact') ? '' : ', Sales contact'} (any case or accents, English or French, or as export() writes them); {map: {'Header': 'phone'}} says where another goes, {map: {'Header': null}} leaves it out` : '';
    throw new ValidationError(named.map((p, i) => ({ field: '', problem: `${file}:${line}: ${p}${i === named.length - 1 ? hint : ''}` })));
  }
  return columns;
}
