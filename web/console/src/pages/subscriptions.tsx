import { useState } from 'react';
import { useParams } from 'react-router';
import { seg } from '../../../shared/api.js';
import { ConfirmDialog } from '../confirm-dialog.js';
import { ErrorMessage } from '../error-message.js';
import { useApi } from '../session.js';
import { useLoad } from '../use-load.js';

interface Subscription {
  id: string;
  app: string;
  service: string;
  plan?: string;
  status?: string;
  reason?: string;
  created_at: string;
  updated_at: string;
}

const STATUSES = ['pending', 'approved', 'rejected', 'suspended', 'revoked'] as const;

/** The approval queue: pending subscriptions first; approve, or reject with a reason. */
export function SubscriptionsPage() {
  const api = useApi();
  const { workspace = 'default' } = useParams();
  const [status, setStatus] = useState<string>('pending');
  const base = `/workspaces/${seg(workspace)}/subscriptions`;
  const list = useLoad(
    () =>
      api.get<{ data: Subscription[]; total: number }>(
        `${base}?limit=1000${status === '' ? '' : `&status=${status}`}`,
      ),
    [api, base, status],
  );
  const [rejecting, setRejecting] = useState<Subscription | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [notice, setNotice] = useState('');

  async function act(s: Subscription, action: 'approve' | 'reject', reason?: string) {
    setError(undefined);
    try {
      await api.request('POST', `${base}/${seg(s.id)}/${action}`, reason === undefined ? {} : { reason });
      setNotice(`${s.app} → ${s.service}: ${action === 'approve' ? 'approved' : 'rejected'}.`);
      list.reload();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    }
    setRejecting(undefined);
  }

  return (
    <section aria-labelledby="subs-title">
      <h1 id="subs-title">Subscriptions</h1>
      <label className="search">
        Status
        <select value={status} onChange={(e) => setStatus(e.target.value)}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
          <option value="">any</option>
        </select>
      </label>
      <p className="notice" role="status">
        {notice}
      </p>
      <ErrorMessage error={list.error ?? error} />
      {list.data !== undefined &&
        (list.data.data.length === 0 ? (
          <p>
            No {status === '' ? '' : `${status} `}subscriptions in workspace {workspace}.
          </p>
        ) : (
          <table>
            <caption>
              {list.data.total} {status === '' ? '' : `${status} `}subscriptions
            </caption>
            <thead>
              <tr>
                <th scope="col">App</th>
                <th scope="col">Service</th>
                <th scope="col">Plan</th>
                <th scope="col">Status</th>
                <th scope="col">Requested</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((s) => (
                <tr key={s.id}>
                  <th scope="row">{s.app}</th>
                  <td>{s.service}</td>
                  <td>{s.plan ?? '—'}</td>
                  <td>
                    {s.status ?? 'pending'}
                    {s.reason !== undefined && <span className="muted"> ({s.reason})</span>}
                  </td>
                  <td>
                    <time dateTime={s.created_at}>{new Date(s.created_at).toLocaleString()}</time>
                  </td>
                  <td className="row-actions">
                    {(s.status ?? 'pending') === 'pending' && (
                      <>
                        <button
                          type="button"
                          className="small"
                          aria-label={`Approve ${s.app} on ${s.service}`}
                          onClick={() => void act(s, 'approve')}
                        >
                          Approve
                        </button>
                        <button
                          type="button"
                          className="danger small"
                          aria-label={`Reject ${s.app} on ${s.service}`}
                          onClick={() => setRejecting(s)}
                        >
                          Reject
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      {rejecting !== undefined && (
        <ConfirmDialog
          title={`Reject ${rejecting.app} on ${rejecting.service}?`}
          confirmLabel="Reject"
          reasonLabel="Reason (kept with the subscription)"
          onConfirm={(reason) => act(rejecting, 'reject', reason)}
          onCancel={() => setRejecting(undefined)}
        >
          <p>The app's calls to {rejecting.service} stay refused.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
