import { render, screen } from '@testing-library/react';
import { configureClient, request, ApiError } from '../api/client';
import { I18nProvider } from '../lib/i18n';
import { ErrorBox } from './States';

/** The error a page gets from the client when the server answers `status` (or nothing at all). */
async function failure(status: number | 'down', headers: Record<string, string> = {}, body: unknown = {}): Promise<unknown> {
  configureClient({
    fetch: (async () => {
      if (status === 'down') throw new TypeError('Failed to fetch');
      return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
    }) as typeof fetch,
  });
  return request('GET', '/simulations').then(() => null, (e) => e);
}

describe('ErrorBox', () => {
  it('says a 429 in the reader\'s language, with when to retry and the server\'s words', async () => {
    const e = await failure(429, { 'Retry-After': '7' }, { status: 'error', error: 'busy', detail: 'a simulation is already running' });
    expect((e as ApiError).retryAfter).toBe(7);
    render(<I18nProvider initial="pt-BR"><ErrorBox error={e} /></I18nProvider>);
    expect(screen.getByRole('alert').textContent).toContain('Muitas requisições agora. Tente de novo em 7 s. (a simulation is already running; HTTP 429)');
  });
  it('says a 503 without Retry-After as unavailable, no time promised', async () => {
    const e = await failure(503, {}, { status: 'error', error: 'database_unavailable', detail: 'the database is unreachable' });
    render(<I18nProvider initial="en"><ErrorBox error={e} /></I18nProvider>);
    const text = screen.getByRole('alert').textContent ?? '';
    expect(text).toContain('The service is unavailable for a moment. (the database is unreachable; HTTP 503)');
    expect(text).not.toContain('Try again in');
  });
  it('says an unreachable server in Portuguese too', async () => {
    const e = await failure('down');
    render(<I18nProvider initial="pt-BR"><ErrorBox error={e} /></I18nProvider>);
    expect(screen.getByRole('alert').textContent).toContain('Não foi possível falar com o servidor.');
  });
});
