/** The objects of the API, by name (clients.list…, reports.revenue…). */
export const OBJECTS = ['clients', 'contracts', 'events', 'users', 'reports'] as const;
export type ObjectName = (typeof OBJECTS)[number];
