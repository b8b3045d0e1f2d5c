import React from 'react';
import ReactDOM from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiError, configureClient } from './api/client';
import { AuthProvider } from './lib/auth';
import { I18nProvider, detectLocale } from './lib/i18n';
import { App } from './App';
import './index.css';

configureClient({ onUnauthorized: () => window.dispatchEvent(new Event('corrente:unauthorized')) });

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 60_000,
      refetchOnWindowFocus: false,
      // Retry only what may be transient: network errors, 503 and 5xx, and a 429 (the account's
      // requests in flight, docs/security.md); never another 4xx.
      retry: (n, err) => n < 2 && (!(err instanceof ApiError) || err.status === 0 || err.status === 429 || err.status >= 500),
    },
  },
});

document.documentElement.lang = detectLocale();
ReactDOM.createRoot(document.getElementById('root')!).render(
  <React.StrictMode>
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <BrowserRouter>
          <AuthProvider>
            <App />
          </AuthProvider>
        </BrowserRouter>
      </I18nProvider>
    </QueryClientProvider>
  </React.StrictMode>,
);
