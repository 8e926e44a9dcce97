import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useParams } from 'react-router';
import { Layout } from './layout.js';
import { SignInPage } from './pages/sign-in.js';
import { ServicesPage } from './pages/services.js';
import { SubscriptionsPage } from './pages/subscriptions.js';
import { useSession } from './session.js';
import { defaultWorkspace } from './workspaces.js';

// The overview carries the chart library, the forms their generator and validators: each is loaded when
// first shown, not with the console's first page.
const OverviewPage = lazy(() => import('./pages/overview.js').then((m) => ({ default: m.OverviewPage })));
const ServiceFormPage = lazy(() =>
  import('./pages/service-form.js').then((m) => ({ default: m.ServiceFormPage })),
);

function Loading({ children }: { children: ReactNode }) {
  return <Suspense fallback={<p role="status">Loading…</p>}>{children}</Suspense>;
}

function WorkspaceHome() {
  const { workspace = 'default' } = useParams();
  return <Navigate to={`/w/${encodeURIComponent(workspace)}/overview`} replace />;
}

export function App() {
  const { session } = useSession();
  if (session === undefined)
    return (
      <p className="loading" role="status">
        Loading…
      </p>
    );
  if (session === null) return <SignInPage />;
  return (
    <Routes>
      <Route path="/w/:workspace" element={<Layout />}>
        <Route index element={<WorkspaceHome />} />
        <Route
          path="overview"
          element={
            <Loading>
              <OverviewPage />
            </Loading>
          }
        />
        <Route path="services" element={<ServicesPage />} />
        <Route
          path="services/new"
          element={
            <Loading>
              <ServiceFormPage />
            </Loading>
          }
        />
        <Route
          path="services/:name"
          element={
            <Loading>
              <ServiceFormPage />
            </Loading>
          }
        />
        <Route path="subscriptions" element={<SubscriptionsPage />} />
      </Route>
      <Route
        path="*"
        element={<Navigate to={`/w/${encodeURIComponent(defaultWorkspace(session))}/overview`} replace />}
      />
    </Routes>
  );
}
