import type { AdapterStatus } from './adapter-supervisor';

/**
 * The main job's health, as `/api/health` of the web chat reports it: `ok` only while the
 * conversation store answers and every adapter runs; `degraded` when the store answers but an adapter
 * is retrying or failed (the others serve); `down` (HTTP 503) when the store does not answer, since
 * no turn can run without it.
 */
export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  store: { kind: string; ok: boolean; error?: string; latencyMs: number };
  adapters: AdapterStatus[];
}

/** 503 when down, else 200. */
export function healthHttpStatus(report: HealthReport): number {
  return report.status === 'down' ? 503 : 200;
}

export function summarizeHealth(store: HealthReport['store'], adapters: AdapterStatus[]): HealthReport {
  const allRunning = adapters.every((a) => a.state === 'running' || a.state === 'stopped');
  return { status: !store.ok ? 'down' : allRunning ? 'ok' : 'degraded', store, adapters };
}
