/** `m:ss` (or `h:mm:ss` from an hour on) for a time in seconds; tenths when `withTenths`. */
export function formatClock(seconds: number, withTenths = false): string {
  const safe = Math.max(0, seconds);
  const rounded = withTenths ? Math.round(safe * 10) / 10 : Math.round(safe);
  const h = Math.floor(rounded / 3600);
  const m = Math.floor((rounded % 3600) / 60);
  const s = rounded % 60;
  const sText = withTenths ? s.toFixed(1).padStart(4, '0') : String(Math.floor(s)).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sText}` : `${m}:${sText}`;
}

const STEPS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

/** Tick times for an axis of `durationSec`: a round step giving at most `maxTicks` intervals. */
export function timeTicks(durationSec: number, maxTicks: number): { step: number; ticks: number[] } {
  const duration = Math.max(durationSec, 1e-3);
  const step = STEPS.find((s) => duration / s <= Math.max(1, maxTicks)) ?? Math.ceil(duration / maxTicks / 3600) * 3600;
  const ticks: number[] = [];
  for (let i = 0; i * step <= duration + 1e-9; i += 1) ticks.push(Math.round(i * step * 1000) / 1000);
  return { step, ticks };
}
