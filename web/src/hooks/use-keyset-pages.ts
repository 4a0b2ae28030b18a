import { useState } from 'react';

/**
 * Keyset paging state: the server answers the page after an id, so page 1,000 costs what page 1
 * does; the ids earlier pages started after are kept for "Previous page".
 */
export function useKeysetPages() {
  const [starts, setStarts] = useState<(number | undefined)[]>([undefined]);
  return {
    cursor: starts[starts.length - 1],
    hasPrevious: starts.length > 1,
    next: (lastId: number) => setStarts((s) => [...s, lastId]),
    previous: () => setStarts((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    reset: () => setStarts([undefined]),
  };
}
