import { SingleBar } from 'cli-progress';
import type { Connection } from './connection.js';
import { expectOk } from './output.js';

export interface OperationView {
  id: number;
  status: string;
  action: string;
  progressMessage: string | null;
  progressFraction: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** A bar on stderr (stdout stays for results); on a pipe it prints only status changes. */
export function createBar(label: string): { update(fraction: number, text: string): void; stop(): void } {
  const tty = process.stderr.isTTY === true;
  if (!tty) {
    let last = '';
    return {
      update(fraction, text) {
        const line = `${label} ${Math.round(fraction * 100)}% ${text}`;
        if (line !== last) process.stderr.write(`${line}\n`);
        last = line;
      },
      stop() {},
    };
  }
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% {text}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: false,
  });
  bar.start(100, 0, { text: '' });
  return {
    update: (fraction, text) => bar.update(Math.round(fraction * 100), { text }),
    stop: () => bar.stop(),
  };
}

/** Follows an operation until it ends, with a live progress bar; returns its final state. */
export async function watchOperation(
  connection: Connection,
  id: number,
  options: { quiet?: boolean; pollMs?: number } = {},
): Promise<OperationView> {
  const bar = options.quiet ? undefined : createBar(`operation ${id}`);
  try {
    for (;;) {
      const { operation } = expectOk<{ operation: OperationView }>(
        await connection.request('GET', `/v1/operations/${id}`),
      );
      const fraction =
        TERMINAL.has(operation.status) && operation.status === 'succeeded'
          ? 1
          : (operation.progressFraction ?? 0);
      const text =
        operation.status === 'running' || operation.status === 'waiting'
          ? `${operation.status}: ${operation.progressMessage ?? operation.action}`
          : operation.status;
      bar?.update(fraction, text);
      if (TERMINAL.has(operation.status)) return operation;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 300));
    }
  } finally {
    bar?.stop();
  }
}
