import { lazy, Suspense, useEffect, useRef } from 'react';
import { Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { signOut, useAuth } from './api/auth';
import { Announcer } from './components/Announcer';
import { CodecSettings } from './components/CodecSettings';
import { Loading } from './components/States';
import { SignIn } from './SignIn';

const Executions = lazy(() => import('./pages/executions/ExecutionsPage'));
const Execution = lazy(() => import('./pages/execution/ExecutionPage'));
const WorkflowDefs = lazy(() => import('./pages/definitions/WorkflowDefsPage'));
const WorkflowDef = lazy(() => import('./pages/definitions/WorkflowDefPage'));
const TaskDefs = lazy(() => import('./pages/taskdefs/TaskDefsPage'));
const TaskDef = lazy(() => import('./pages/taskdefs/TaskDefPage'));
const TaskQueue = lazy(() => import('./pages/queues/TaskQueuePage'));
const Poison = lazy(() => import('./pages/poison/PoisonPage'));
const Alerts = lazy(() => import('./pages/alerts/AlertsPage'));

const nav = [
  ['/executions', 'Executions'],
  ['/workflowDefs', 'Workflow definitions'],
  ['/taskDefs', 'Task definitions'],
  ['/taskQueue', 'Task queues'],
  ['/poisonTasks', 'Poison tasks'],
  ['/alerts', 'Alerts'],
] as const;

/**
 * The shell: navigation, who is signed in, and the pages under Conductor UI's URL scheme
 * (engine/src/api/ui.ts serves index.html for each of them). Pages render while the session is
 * still being checked (their reads go out at once; actions stay disabled until the role is known),
 * and a 401 from any read shows the sign-in form.
 */
export function App() {
  const auth = useAuth();
  const location = useLocation();
  const firstPage = useRef(true);
  useEffect(() => {
    // Another page: focus its content (a screen reader starts there; Tab goes on from there). The
    // first page is left alone, as a full page load is: Tab reaches the skip link first.
    if (firstPage.current) firstPage.current = false;
    else document.getElementById('main')?.focus({ preventScroll: true });
  }, [pageOf(location.pathname)]);

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/executions" className="brand" aria-label="Baton: executions">
          <img src="/favicon.svg" alt="" width={22} height={22} /> Baton
        </NavLink>
        <nav aria-label="Main">
          <ul>
            {nav.map(([to, label]) => (
              <li key={to}>
                {/* /execution/{id} and /workflowDef/{name} belong to the list pages' sections */}
                <NavLink
                  to={to}
                  className={({ isActive }) => (isActive || location.pathname.startsWith(to.replace(/s$/, '')) ? 'active' : '')}
                >
                  {label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <CodecSettings />
          <a href="/swagger-ui/">API</a>
          {auth.kind === 'signed-in' && (
            <>
              <span className="who-key" title={`signed in with key ${auth.keyId}`}>
                {auth.keyId} <span className="role">{auth.role}</span>
              </span>
              <button type="button" className="small" onClick={signOut}>
                Sign out
              </button>
            </>
          )}
          {auth.kind === 'open' && (
            <span className="muted" title="BATON_ADMIN_KEY_ID is not set: the engine answers loopback requests without credentials">
              authentication off
            </span>
          )}
        </div>
      </header>
      {auth.kind === 'signed-in' && auth.role === 'viewer' && (
        <div className="banner" role="note">
          You are signed in as a viewer: you can look at everything, but payloads (inputs, outputs, variables, logs) are masked as *** and
          actions are disabled.
        </div>
      )}
      {auth.kind === 'signed-in' && auth.role === 'worker' && (
        <div className="banner banner-warn" role="note">
          This is a worker key: it may poll and report tasks, but not read workflows. Sign in with a viewer, operator or admin key to use
          the UI.
        </div>
      )}
      <main id="main" tabIndex={-1}>
        {auth.kind === 'signed-out' ? (
          <SignIn reason={auth.reason} />
        ) : (
          <Suspense fallback={<Loading what="the page" />}>
            <Routes>
              <Route path="/" element={<Executions />} />
              <Route path="/executions" element={<Executions />} />
              <Route path="/execution/:workflowId/:taskId?" element={<Execution />} />
              <Route path="/workflowDefs" element={<WorkflowDefs />} />
              <Route path="/workflowDef/:name?/:version?" element={<WorkflowDef />} />
              <Route path="/taskDefs" element={<TaskDefs />} />
              <Route path="/taskDef/:name?" element={<TaskDef />} />
              <Route path="/taskQueue/:taskType?" element={<TaskQueue />} />
              <Route path="/poisonTasks" element={<Poison />} />
              <Route path="/alerts" element={<Alerts />} />
              <Route path="/index.html" element={<Navigate to="/executions" replace />} />
              <Route path="*" element={<NotFound />} />
            </Routes>
          </Suspense>
        )}
      </main>
      <Announcer />
    </>
  );
}

/**
 * What counts as another page: the first two path segments. Opening a task of a run
 * (/execution/{id}/{taskId}) or another version (/workflowDef/{name}/{v}) stays on the page, and
 * keyboard focus stays where the user is.
 */
function pageOf(pathname: string): string {
  return pathname.split('/').slice(0, 3).join('/');
}

function NotFound() {
  return (
    <div className="state state-empty">
      <h1>Page not found</h1>
      <p>
        Try the <NavLink to="/executions">executions</NavLink>.
      </p>
    </div>
  );
}
