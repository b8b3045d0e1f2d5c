import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useAuth } from './lib/auth';
import { useI18n } from './lib/i18n';
import { Layout } from './components/Layout';
import { ErrorBox, Loading } from './components/States';
import { LoginPage } from './pages/Login';

const Dashboard = lazy(() => import('./pages/Dashboard'));
const Materials = lazy(() => import('./pages/Materials'));
const MaterialDetail = lazy(() => import('./pages/MaterialDetail'));
const Forecasts = lazy(() => import('./pages/Forecasts'));
const Inventory = lazy(() => import('./pages/Inventory'));
const Recommendations = lazy(() => import('./pages/Recommendations'));
const Alerts = lazy(() => import('./pages/Alerts'));
const Admin = lazy(() => import('./pages/Admin'));
const Simulation = lazy(() => import('./pages/Simulation'));
const Overrides = lazy(() => import('./pages/Overrides'));

function RequireAuth({ children }: { children: ReactNode }) {
  const { hasToken } = useAuth();
  const loc = useLocation();
  if (!hasToken) {
    const next = loc.pathname + loc.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  // The page renders while /auth/me is in flight; only role-gated controls wait for it.
  return <>{children}</>;
}

function AdminOnly({ children }: { children: ReactNode }) {
  const { can, me } = useAuth();
  const { t } = useI18n();
  if (!me) return <Loading />;
  return can('admin') ? <>{children}</> : <ErrorBox error={new Error(t('adminOnly'))} />;
}

function NotFound() {
  const { t } = useI18n();
  return <p className="p-4">{t('notFound')}</p>;
}

export function App() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route element={<RequireAuth><Layout /></RequireAuth>}>
          <Route path="/" element={<Navigate to="/dashboard" replace />} />
          <Route path="/dashboard" element={<Dashboard />} />
          <Route path="/materials" element={<Materials />} />
          <Route path="/materials/:id" element={<MaterialDetail />} />
          <Route path="/forecasts" element={<Forecasts />} />
          <Route path="/inventory" element={<Inventory />} />
          <Route path="/recommendations" element={<Recommendations />} />
          <Route path="/alerts" element={<Alerts />} />
          <Route path="/simulation" element={<Simulation />} />
          <Route path="/overrides" element={<Overrides />} />
          <Route path="/admin" element={<AdminOnly><Admin /></AdminOnly>} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
  );
}
