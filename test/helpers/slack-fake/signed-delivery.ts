/**
 * Event deliveries as Slack sends them to an HTTP receiver: the body signed with
 * `v0=` HMAC-SHA256(signing secret, `v0:${timestamp}:${rawBody}`) in X-Slack-Signature, the time in
 * X-Slack-Request-Timestamp, and X-Slack-Retry-Num / X-Slack-Retry-Reason on a retry.
 */
import { createHmac, randomUUID } from 'node:crypto';

export function slackSignature(secret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export interface DeliveryOptions {
  /** sign with this secret instead (a wrong one makes a bad signature) */
  secret: string;
  /** seconds since the epoch (default now) */
  timestamp?: number;
  retryNum?: number;
  /** form-encoded (slash commands) instead of JSON (events) */
  form?: boolean;
}

export async function deliver(url: string, payload: Record<string, unknown>, options: DeliveryOptions): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const raw =
    options.form === true
      ? new URLSearchParams(Object.entries(payload).map(([k, v]) => [k, String(v)])).toString()
      : JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': options.form === true ? 'application/x-www-form-urlencoded' : 'application/json',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(options.secret, timestamp, raw),
  };
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  return fetch(url, { method: 'POST', headers, body: raw });
}

/** An `event_callback` envelope around `event`. */
export function eventEnvelope(teamId: string, event: Record<string, unknown>, eventId?: string): Record<string, unknown> {
  return {
    token: 'legacy-verification-token',
    team_id: teamId,
    api_app_id: 'A00000001',
    event,
    type: 'event_callback',
    event_id: eventId ?? `Ev${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: teamId, user_id: 'UBOT00001', is_bot: true }],
  };
}
