/** The objects of the API, by name (clients.list…, reports.revenue…). */
export const OBJECTS = ['clients', 'contracts', 'events', 'users', 'reports', 'followUps'] as const;
export type ObjectName = (typeof OBJECTS)[number];
/** Objects the shell lets you call as a function: `followUps({due: true})` is `followUps.list({due: true})`. */
export const CALLED_AS_LIST: readonly ObjectName[] = ['followUps'];
