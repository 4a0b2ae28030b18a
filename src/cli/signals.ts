/** SIGTERM/SIGINT: one graceful close; a second signal exits at once. */
export function closeOnSignals(close: () => Promise<void>, log: (line: string) => void): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) process.exit(130);
    closing = true;
    log(`${signal}: finishing running actions, then stopping`);
    close().then(
      () => process.exit(0),
      (error) => {
        log(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
