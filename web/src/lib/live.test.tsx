import { render, screen, waitFor } from '@testing-library/react';
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router-dom';
import { configureClient, tokenStore } from '../api/client';
import { I18nProvider } from './i18n';
import { useLiveEvents } from './live';
import { UndoToast } from '../components/UndoToast';

// A server that sends `chunks` on the stream, then ends it.
function streamResponse(chunks: string[]): Response {
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const s of chunks) c.enqueue(enc.encode(s));
      c.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
}

function Probe({ counts }: { counts: { unread: number; groups: number } }) {
  useQuery({ queryKey: ['alerts', 'unread-count'], queryFn: () => ++counts.unread });
  useQuery({ queryKey: ['alerts', 'groups', {}], queryFn: () => ++counts.groups });
  const live = useLiveEvents(true);
  return <UndoToast toast={live.toast} onClose={live.closeToast} />;
}

function mount() {
  const counts = { unread: 0, groups: 0 };
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const view = render(
    <QueryClientProvider client={qc}><I18nProvider initial="en"><MemoryRouter>
      <Probe counts={counts} />
    </MemoryRouter></I18nProvider></QueryClientProvider>,
  );
  return { counts, qc, view };
}

describe('useLiveEvents', () => {
  afterEach(() => { tokenStore.clear(); configureClient({ fetch: (...a) => fetch(...a) }); });

  it('refetches alerts, shows a toast for new critical alerts and resumes from the last id', async () => {
    tokenStore.set('tok', 3600);
    const calls: { auth: string | null; last: string | null }[] = [];
    configureClient({
      fetch: async (_url, init) => {
        const h = new Headers(init?.headers);
        calls.push({ auth: h.get('Authorization'), last: h.get('Last-Event-ID') });
        if (calls.length === 1)
          return streamResponse(['retry: 3000\n\nid: E-0\nevent: ready\ndata: {}\n\n', ': heartbeat\n\n',
            'id: E-1\nevent: alerts_changed\ndata: {"action":"read","ids":[4],"count":1,"new_critical":0}\n\n',
            'id: E-2\nevent: run_published\ndata: {"run_id":9,"new_critical":3}\n\n']);
        // The second stream stays open until the test ends.
        return new Response(new ReadableStream({ start() {} }), { status: 200 });
      },
    });
    const { counts, view } = mount();
    expect((await screen.findByTestId('undo-toast')).textContent).toContain('New critical alerts: 3');
    expect(screen.getByTestId('toast-action').textContent).toBe('View');
    // The first stream ended: the reconnect (after about a second) names the last event seen.
    await waitFor(() => expect(calls.length).toBe(2), { timeout: 3000 });
    expect(calls[0]).toEqual({ auth: 'Bearer tok', last: null });
    expect(calls[1]).toEqual({ auth: 'Bearer tok', last: 'E-2' });
    // alerts_changed refetched the badge; run_published refetched everything, the queue too.
    expect(counts.unread).toBeGreaterThanOrEqual(3);
    expect(counts.groups).toBe(2);
    view.unmount();
  });

  it('refetches the recommendations on recommendations_changed, not the alerts', async () => {
    tokenStore.set('tok', 3600);
    let recs = 0;
    configureClient({
      fetch: async () => streamResponse(['id: E-1\nevent: recommendations_changed\ndata: {"action":"acknowledge","ids":[5],"count":1,"new_critical":0}\n\n']),
    });
    function Recs() {
      useQuery({ queryKey: ['recommendations', { top: 5 }], queryFn: () => ++recs });
      return null;
    }
    const counts = { unread: 0, groups: 0 };
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const view = render(
      <QueryClientProvider client={qc}><I18nProvider initial="en"><MemoryRouter>
        <Probe counts={counts} /><Recs />
      </MemoryRouter></I18nProvider></QueryClientProvider>,
    );
    await waitFor(() => expect(recs).toBe(2));
    expect(counts.unread).toBe(1);
    view.unmount();
  });

  it('marks a queue list stale without refetching it on alerts_changed', async () => {
    tokenStore.set('tok', 3600);
    configureClient({
      fetch: async () => streamResponse(['id: E-1\nevent: alerts_changed\ndata: {"count":1,"new_critical":0}\n\n']),
    });
    const { counts, qc, view } = mount();
    await waitFor(() => expect(counts.unread).toBe(2));
    expect(counts.groups).toBe(1);
    expect(qc.getQueryState(['alerts', 'groups', {}])?.isInvalidated).toBe(true);
    expect(screen.queryByTestId('undo-toast')).toBeNull();
    view.unmount();
  });
});
