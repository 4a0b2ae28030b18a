import type { Operation } from '../api/types';
import { formatTime } from '../format';

/** The steps an operation finished and the waits it started: what a retry will not repeat. */
export function OperationJournal({ operation }: { operation: Operation }) {
  const steps = Object.entries(operation.journal?.steps ?? {});
  const waits = Object.entries(operation.journal?.waits ?? {});
  if (steps.length === 0 && waits.length === 0) return <p className="muted">No steps journaled yet.</p>;
  return (
    <ol className="journal">
      {steps.map(([name, step]) => (
        <li key={`step-${name}`}>
          <strong>{name}</strong> done at {formatTime(step.at)} (attempt {step.attempt})
        </li>
      ))}
      {waits.map(([name, wait]) => (
        <li key={`wait-${name}`}>
          <strong>wait: {name}</strong> since {formatTime(wait.startedAt)}
          {wait.checks !== undefined ? `, ${wait.checks} checks` : ''}
        </li>
      ))}
    </ol>
  );
}
