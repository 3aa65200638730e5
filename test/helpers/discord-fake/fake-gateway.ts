import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';

/** One gateway session: its sequence and every event sent in it, so a RESUME can replay what was missed. */
interface GatewaySession {
  id: string;
  seq: number;
  events: { op: 0; t: string; s: number; d: unknown }[];
  socket: WebSocket | undefined;
}

export interface FakeGatewayOptions {
  token: string;
  heartbeatIntervalMs: number;
  /** what READY says besides session_id and resume_gateway_url */
  readyPayload: () => Record<string, unknown>;
  /** dispatched right after READY (GUILD_CREATE for each guild) */
  afterReady: () => { t: string; d: unknown }[];
  resumeUrl: () => string;
  newSessionId: () => string;
}

/** What happened on the gateway, for assertions. */
export interface GatewayStats {
  connections: number;
  identifies: number;
  resumes: number;
  /** RESUMEs that replayed events */
  replayed: number;
  heartbeats: number;
  invalidSessions: number;
  /** the URLs the client connected to (query included) */
  urls: string[];
}

/**
 * The gateway side of the fake Discord: HELLO, IDENTIFY → READY (+ GUILD_CREATE), heartbeats and ACKs,
 * RESUME with replay of the events missed while disconnected (then RESUMED), INVALID_SESSION for an
 * unknown session, and dispatches that are buffered while the client is away.
 */
export class FakeGateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, GatewaySession>();
  private current: GatewaySession | undefined;
  readonly stats: GatewayStats = { connections: 0, identifies: 0, resumes: 0, replayed: 0, heartbeats: 0, invalidSessions: 0, urls: [] };
  private readonly listeners = new Set<(event: string) => void>();
  /** the intents of the last IDENTIFY (Discord filters events and message content by them) */
  intents = 0;

  constructor(private readonly options: FakeGatewayOptions) {}

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => this.onConnection(ws, request.url ?? ''));
  }

  /** Called with 'ready', 'resumed', 'close' and so on. */
  onEvent(listener: (event: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: string): void {
    for (const listener of this.listeners) listener(event);
  }

  private send(ws: WebSocket, payload: unknown): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(payload));
  }

  private onConnection(ws: WebSocket, url: string): void {
    this.stats.connections++;
    this.stats.urls.push(url);
    this.send(ws, { op: 10, d: { heartbeat_interval: this.options.heartbeatIntervalMs }, s: null, t: null });
    ws.on('message', (raw) => {
      let payload: { op: number; d: Record<string, unknown> | number | null };
      try {
        payload = JSON.parse(raw.toString()) as typeof payload;
      } catch {
        ws.close(4002, 'Error while decoding payload.');
        return;
      }
      this.onPayload(ws, payload);
    });
    ws.on('close', () => {
      for (const session of this.sessions.values()) if (session.socket === ws) session.socket = undefined;
      this.emit('close');
    });
  }

  private onPayload(ws: WebSocket, payload: { op: number; d: Record<string, unknown> | number | null }): void {
    const d = (typeof payload.d === 'object' && payload.d !== null ? payload.d : {}) as Record<string, unknown>;
    switch (payload.op) {
      case 1:
        this.stats.heartbeats++;
        this.send(ws, { op: 11, d: null, s: null, t: null });
        return;
      case 2: {
        if (d.token !== this.options.token) {
          ws.close(4004, 'Authentication failed.');
          return;
        }
        this.stats.identifies++;
        this.intents = typeof d.intents === 'number' ? d.intents : 0;
        const session: GatewaySession = { id: this.options.newSessionId(), seq: 0, events: [], socket: ws };
        this.sessions.set(session.id, session);
        this.current = session;
        this.dispatch('READY', { ...this.options.readyPayload(), session_id: session.id, resume_gateway_url: this.options.resumeUrl() });
        for (const event of this.options.afterReady()) this.dispatch(event.t, event.d);
        this.emit('ready');
        return;
      }
      case 6: {
        const session = typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
        if (session === undefined || d.token !== this.options.token) {
          this.stats.invalidSessions++;
          this.send(ws, { op: 9, d: false, s: null, t: null });
          return;
        }
        this.stats.resumes++;
        session.socket = ws;
        this.current = session;
        const after = typeof d.seq === 'number' ? d.seq : 0;
        const missed = session.events.filter((event) => event.s > after);
        if (missed.length > 0) this.stats.replayed++;
        for (const event of missed) this.send(ws, event);
        this.send(ws, { op: 0, t: 'RESUMED', s: session.seq, d: {} });
        this.emit('resumed');
        return;
      }
      default:
        return;
    }
  }

  /** Send an event to the client, or keep it for the RESUME when the client is away. */
  dispatch(t: string, d: unknown): void {
    const session = this.current;
    if (session === undefined) return;
    session.seq++;
    const event = { op: 0 as const, t, s: session.seq, d };
    session.events.push(event);
    if (session.socket !== undefined) this.send(session.socket, event);
  }

  /** Whether a client is connected and identified or resumed. */
  get connected(): boolean {
    return this.current?.socket?.readyState === WebSocket.OPEN;
  }

  /** Drop the connection: a close code (4000 = unknown error, resumable) or, without one, a dead TCP connection. */
  disconnect(code?: number): void {
    const socket = this.current?.socket;
    if (socket === undefined) return;
    if (code === undefined) socket.terminate();
    else socket.close(code, 'fake disconnect');
  }

  /** Forget every session: the next RESUME gets INVALID_SESSION and the client identifies again. */
  invalidateSessions(): void {
    this.sessions.clear();
  }

  /** Tell the client to reconnect (op 7). */
  requestReconnect(): void {
    const socket = this.current?.socket;
    if (socket !== undefined) this.send(socket, { op: 7, d: null, s: null, t: null });
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
