import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { seg } from '../../../shared/api.js';
import { ConfirmDialog } from '../confirm-dialog.js';
import { ErrorMessage } from '../error-message.js';
import { useApi } from '../session.js';
import { useLoad } from '../use-load.js';

export interface ServiceRow {
  id: string;
  name: string;
  url: string;
  description?: string;
  tags?: string[];
  enabled?: boolean;
  visibility?: string;
  approval?: string;
  updated_at: string;
}

/** A workspace has few enough services to list whole and search in the page. */
const LIMIT = 1000;

function matches(s: ServiceRow, q: string): boolean {
  const needle = q.trim().toLowerCase();
  if (needle === '') return true;
  return [s.name, s.url, s.description ?? '', ...(s.tags ?? [])].some((f) =>
    f.toLowerCase().includes(needle),
  );
}

export function ServicesPage() {
  const api = useApi();
  const { workspace = 'default' } = useParams();
  const base = `/workspaces/${seg(workspace)}/services`;
  const list = useLoad(
    () => api.get<{ data: ServiceRow[]; total: number }>(`${base}?limit=${LIMIT}`),
    [api, base],
  );
  const [query, setQuery] = useState('');
  const [deleting, setDeleting] = useState<ServiceRow | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [notice, setNotice] = useState('');
  const shown = useMemo(() => (list.data?.data ?? []).filter((s) => matches(s, query)), [list.data, query]);

  async function remove(s: ServiceRow) {
    setError(undefined);
    try {
      await api.request('DELETE', `${base}/${seg(s.name)}`);
      setNotice(`Service ${s.name} deleted.`);
      list.reload();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    }
    setDeleting(undefined);
  }

  return (
    <section aria-labelledby="services-title">
      <div className="page-head">
        <h1 id="services-title">Services</h1>
        <Link className="button" to="new">
          New service
        </Link>
      </div>
      <label className="search">
        Search services
        <input
          type="search"
          value={query}
          placeholder="name, URL, tag…"
          onChange={(e) => setQuery(e.target.value)}
        />
      </label>
      <p className="notice" role="status">
        {notice}
      </p>
      <ErrorMessage error={list.error ?? error} />
      {list.data !== undefined && (
        <table>
          <caption>
            {shown.length} of {list.data.total} services in workspace {workspace}
          </caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">URL</th>
              <th scope="col">Enabled</th>
              <th scope="col">Visibility</th>
              <th scope="col">Approval</th>
              <th scope="col">Updated</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((s) => (
              <tr key={s.id}>
                <th scope="row">
                  <Link to={seg(s.name)}>{s.name}</Link>
                </th>
                <td>
                  <code>{s.url}</code>
                </td>
                <td>{s.enabled === false ? 'no' : 'yes'}</td>
                <td>{s.visibility ?? 'workspace'}</td>
                <td>{s.approval ?? 'manual'}</td>
                <td>
                  <time dateTime={s.updated_at}>{new Date(s.updated_at).toLocaleString()}</time>
                </td>
                <td>
                  <button
                    type="button"
                    className="danger small"
                    aria-label={`Delete service ${s.name}`}
                    onClick={() => setDeleting(s)}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {deleting !== undefined && (
        <ConfirmDialog
          title={`Delete service ${deleting.name}?`}
          confirmLabel="Delete"
          onConfirm={() => remove(deleting)}
          onCancel={() => setDeleting(undefined)}
        >
          <p>
            Its routes stop answering at once. A service that plans or subscriptions still refer to cannot be
            deleted: the answer names them.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
