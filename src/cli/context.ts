import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from '../config.js';
import { CliError, type Connection, localConnection, remoteConnection } from './connection.js';
import type { OutputOptions } from './output.js';

export interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
  config?: string;
  db?: string;
}

export function configFrom(options: GlobalOptions) {
  return loadConfig({
    ...(options.config ? { file: options.config } : {}),
    ...(options.db ? { overrides: { sqlitePath: options.db } } : {}),
  });
}

/** Reports an error the way every command does: one clear message on stderr, exit code 1. */
export function reportError(error: unknown): void {
  const usage = error instanceof InvalidArgumentError;
  const message =
    error instanceof CliError || error instanceof ConfigError || usage
      ? (error as Error).message
      : `unexpected error: ${(error as Error)?.stack ?? String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exitCode = error instanceof CliError ? error.exitCode : usage ? 2 : 1;
}

/** Opens the connection the global options ask for, runs the command, always closes. */
export async function withConnection(
  command: Command,
  fn: (connection: Connection, output: OutputOptions) => Promise<void>,
): Promise<void> {
  const options = command.optsWithGlobals() as GlobalOptions;
  let connection: Connection | undefined;
  try {
    connection = options.url
      ? remoteConnection(options.url, options.token)
      : await localConnection(configFrom(options));
    await fn(connection, { json: options.json === true });
  } catch (error) {
    reportError(error);
  } finally {
    await connection?.close();
  }
}

/** An option parser: commander reports `InvalidArgumentError` as a usage error (exit 2, no stack). */
export function positiveInteger(value: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(value))
    throw new InvalidArgumentError(`"${value}" is not a positive whole number`);
  return Number(value);
}

/** `key=value` pairs: true/false become booleans, numbers numbers; a settings file keeps exact types. */
export function parseAssignments(pairs: readonly string[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new CliError(`"${pair}" is not key=value`, 2);
    const raw = pair.slice(at + 1);
    out[pair.slice(0, at)] =
      raw === 'true' ? true : raw === 'false' ? false : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  return out;
}

export const collect = (value: string, previous: string[] = []) => [...previous, value];
