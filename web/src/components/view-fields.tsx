import type { ViewModel } from '../api/types';

/** A module's client-area or admin view: labelled values, links where the module gives one. */
export function ViewFields({ view }: { view: ViewModel }) {
  if (view.fields.length === 0 && !view.loginUrl)
    return <p className="muted">The module shows nothing here.</p>;
  return (
    <dl className="key-values">
      {view.fields.map((field) => (
        <div key={field.label}>
          <dt>{field.label}</dt>
          <dd>
            {field.href && /^https?:\/\//.test(field.href) ? (
              <a href={field.href} target="_blank" rel="noreferrer noopener">
                {field.value}
              </a>
            ) : (
              field.value
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
