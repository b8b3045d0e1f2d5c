import { SseParser, reconnectDelay } from './sse';

describe('SseParser', () => {
  it('splits events across chunks, skips comments and keeps the last id', () => {
    const p = new SseParser();
    expect(p.feed(': heartbeat\n\nretry: 3000\n\nid: E-1\nevent: ready\nda')).toEqual([]);
    expect(p.feed('ta: {}\n\nid: E-2\r\nevent: alerts_changed\r\ndata: {"count":1,\ndata: "new_critical":0}\r\n\r\n')).toEqual([
      { id: 'E-1', type: 'ready', data: '{}' },
      { id: 'E-2', type: 'alerts_changed', data: '{"count":1,\n"new_critical":0}' },
    ]);
    expect(p.lastId).toBe('E-2');
  });

  it('names an event without a type "message" and ignores one without data', () => {
    const p = new SseParser();
    expect(p.feed('id: E-3\n\ndata: x\n\n')).toEqual([{ id: null, type: 'message', data: 'x' }]);
    expect(p.lastId).toBe('E-3');
  });
});

describe('reconnectDelay', () => {
  it('doubles from about 1 s up to 30 s, with jitter', () => {
    expect(reconnectDelay(0, () => 0.5)).toBe(1000);
    expect(reconnectDelay(3, () => 0.5)).toBe(8000);
    expect(reconnectDelay(20, () => 0.5)).toBe(30_000);
    expect(reconnectDelay(0, () => 0)).toBe(750);
    expect(reconnectDelay(0, () => 1)).toBe(1250);
  });
});
