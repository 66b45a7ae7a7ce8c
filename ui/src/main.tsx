import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { ApiError } from './api/client';
import { checkSession } from './api/auth';
import { workflowQuery } from './api/queries';
import { elkWorker } from './lib/elk-worker';
import { App } from './App';
import './styles/theme.css';
import './styles/shell.css';
import './styles/tables.css';
import './styles/execution.css';
import './styles/pages.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // 4xx answers do not change by asking again; transient ones (network, 503) do.
      retry: (count, err) => count < 2 && (!(err instanceof ApiError) || err.retryable || err.status === 0),
      staleTime: 1000,
      refetchOnWindowFocus: true,
    },
  },
});

void checkSession();

// Opening a run straight from a link: fetch it, the page's code and the graph's layout worker at
// once instead of one after the other (the page would ask for each only once the previous arrived).
const opened = /^\/execution\/([^/]+)/.exec(window.location.pathname);
if (opened?.[1]) {
  elkWorker();
  void queryClient.prefetchQuery(workflowQuery(decodeURIComponent(opened[1])));
  void import('./pages/execution/ExecutionPage');
  void import('./pages/execution/RunGraph');
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </StrictMode>,
  );
}
