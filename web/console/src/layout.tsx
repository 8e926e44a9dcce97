import { NavLink, Outlet, useLocation, useNavigate, useParams } from 'react-router';
import { useApi, useSession } from './session.js';
import { useLoad } from './use-load.js';
import type { Workspace } from './workspaces.js';

const NAV = [
  { to: 'overview', label: 'Overview' },
  { to: 'services', label: 'Services' },
  { to: 'subscriptions', label: 'Subscriptions' },
] as const;

/** The same page in another workspace: `/w/a/services/x` → `/w/b/services` (the item may not exist there). */
function sameSectionIn(pathname: string, workspace: string): string {
  const section = pathname.split('/')[3] ?? 'overview';
  return `/w/${encodeURIComponent(workspace)}/${section}`;
}

export function Layout() {
  const { session, signOut } = useSession();
  const api = useApi();
  const { workspace = 'default' } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const workspaces = useLoad(() => api.get<{ data: Workspace[] }>('/workspaces'), [api]);
  const names = workspaces.data?.data.map((w) => w.name) ?? [workspace];
  if (!names.includes(workspace)) names.push(workspace);

  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Keyway console</span>
        <label className="switcher">
          Workspace
          <select
            value={workspace}
            onChange={(e) => navigate(sameSectionIn(location.pathname, e.target.value))}
          >
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <span className="who">
          Signed in as <strong>{session?.user}</strong>
        </span>
        <button type="button" className="secondary" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav className="sidebar" aria-label="Console">
        <ul>
          {NAV.map((n) => (
            <li key={n.to}>
              <NavLink to={n.to}>{n.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
