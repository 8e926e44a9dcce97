import { ApiError } from '../../shared/api.js';

/** An error as the server said it: its message, each field it named, and its code and request id. */
export function ErrorMessage({ error }: { error: Error | undefined }) {
  if (error === undefined) return null;
  const api = error instanceof ApiError ? error : undefined;
  return (
    <div className="error" role="alert">
      <p>
        <strong>{api?.code ?? 'Error'}</strong>: {error.message}
      </p>
      {api !== undefined && api.details.length > 0 && (
        <ul>
          {api.details.map((d) => (
            <li key={`${d.path}:${d.message}`}>
              <code>{d.path === '' ? '(body)' : d.path}</code> {d.message}
            </li>
          ))}
        </ul>
      )}
      {api?.requestId !== undefined && <p className="muted">request id {api.requestId}</p>}
    </div>
  );
}
