/** Models declared once for the platform (config key `models`): derived locations and Azure role assignments. */
export * from './config';
export * from './expand';
export * from './role-assignments';
