/** How a server group places new services (see engine/placement.ts). */
export const FILL_TYPES = ['least-full', 'fill-until-full', 'round-robin'] as const;
export type FillType = (typeof FILL_TYPES)[number];
