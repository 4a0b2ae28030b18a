/**
 * Keyset paging: the server answers a page after (or before) an id, so page 1,000 costs what
 * page 1 does. `cursors` remembers where earlier pages started, for "Previous".
 */
export function Pager(props: {
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious(): void;
  onNext(): void;
  label: string;
}) {
  return (
    <nav className="pager" aria-label={props.label}>
      <button type="button" onClick={props.onPrevious} disabled={!props.hasPrevious}>
        Previous page
      </button>
      <button type="button" onClick={props.onNext} disabled={!props.hasNext}>
        Next page
      </button>
    </nav>
  );
}
