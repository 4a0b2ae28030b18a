import { randomInt } from 'node:crypto';

/** 20 characters from an alphabet without look-alikes (about 116 bits), uniform by randomInt. */
export function generatePassword(length = 20): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}
