/** JSON columns: parse with a fallback so one damaged row cannot crash a listing. */
export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export const toJson = (value: unknown): string => JSON.stringify(value ?? null);
export const bool = (value: number | boolean | null | undefined): boolean => value === 1 || value === true;
export const bit = (value: boolean | undefined): number => (value ? 1 : 0);
