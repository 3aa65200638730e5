/**
 * The Socket Mode side of a fake Slack: a WebSocket server on 127.0.0.1 that says `hello` to each
 * connection, sends envelopes (`events_api`, `slash_commands`) and records the client's acks. Give
 * its `url` to FakeSlack (`socketUrl`) so that apps.connections.open hands it out.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

export interface SocketAck {
  envelopeId: string;
  payload?: unknown;
}

export class FakeSocketMode {
  readonly acks: SocketAck[] = [];
  private readonly sockets = new Set<WebSocket>();
  private server: WebSocketServer | undefined;

  async start(): Promise<void> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.server = server;
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
        if (typeof message.envelope_id === 'string') this.acks.push({ envelopeId: message.envelope_id, payload: message.payload });
      });
      socket.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' }, connection_info: { app_id: 'A00000001' } }));
    });
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    return `ws://127.0.0.1:${address?.port ?? 0}/link/?ticket=fake`;
  }

  get connections(): number {
    return this.sockets.size;
  }

  /** Send one envelope to every connected client; returns its envelope id. */
  send(type: 'events_api' | 'slash_commands' | 'interactive', payload: Record<string, unknown>, retryAttempt = 0): string {
    const envelopeId = randomUUID();
    const envelope = {
      envelope_id: envelopeId,
      payload,
      type,
      accepts_response_payload: type !== 'events_api',
      retry_attempt: retryAttempt,
      retry_reason: retryAttempt > 0 ? 'timeout' : '',
    };
    for (const socket of this.sockets) socket.send(JSON.stringify(envelope));
    return envelopeId;
  }

  /** Let clients finish their close handshake (up to 5 s), then drop whatever is left. */
  async stop(): Promise<void> {
    const until = Date.now() + 5000;
    while (this.sockets.size > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const socket of this.sockets) socket.terminate();
    const server = this.server;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
