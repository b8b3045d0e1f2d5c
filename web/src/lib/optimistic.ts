import type { Envelope, Recommendation, Alert } from '../api/client';

/** The list as it will look once the acknowledgement succeeds. */
export function withAcknowledged(list: Envelope<Recommendation[]> | undefined, id: number, by: string, at: string) {
  if (!list) return list;
  return { ...list, data: list.data.map((r) => (r.recommendation_id === id ? { ...r, acknowledged_at: at, acknowledged_by: by } : r)) };
}

export function withAlertPatch(list: Envelope<Alert[]> | undefined, id: number, patch: Partial<Alert>) {
  if (!list) return list;
  return { ...list, data: list.data.map((a) => (a.alert_id === id ? { ...a, ...patch } : a)) };
}
