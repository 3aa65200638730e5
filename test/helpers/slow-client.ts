/**
 * A raw-socket HTTP client that sends a request slowly (for header and body timeouts): the head at
 * once or not at all, then the body a few bytes at a time. It resolves with what the server answered
 * and how long it took, or `closed` when the server hung up without an answer.
 */
import { connect } from 'node:net';

export interface SlowResult {
  /** the HTTP status of the answer; undefined when the socket closed without one */
  status: number | undefined;
  /** the whole answer as text (head + body) */
  text: string;
  /** ms from connecting until the server answered or hung up */
  elapsedMs: number;
}

export interface SlowRequest {
  /** request head lines without the final empty line, e.g. ['POST /api/chat HTTP/1.1', 'Host: 127.0.0.1'] */
  head: string[];
  /** send the head only up to this many characters (a client that never finishes its headers) */
  headChars?: number;
  /** body bytes sent one piece at a time */
  body?: string;
  /** characters per piece (default 1) */
  pieceChars?: number;
  /** ms between pieces */
  intervalMs?: number;
  /** give up after this many ms (resolve with what there is) */
  giveUpMs: number;
}

export function slowRequest(base: string, request: SlowRequest): Promise<SlowResult> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(Number(url.port), url.hostname);
    let text = '';
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: match === null ? undefined : Number(match[1]), text, elapsedMs: Date.now() - started });
    };
    const giveUp = setTimeout(finish, request.giveUpMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      // one answer is enough: stop when its head and (declared) body are in
      const headEnd = text.indexOf('\r\n\r\n');
      if (headEnd >= 0) {
        const length = /content-length: (\d+)/i.exec(text.slice(0, headEnd));
        if (length !== null && text.length >= headEnd + 4 + Number(length[1])) finish();
      }
    });
    socket.on('close', finish);
    socket.on('error', finish);
    socket.on('connect', () => {
      const head = `${request.head.join('\r\n')}\r\n\r\n`;
      socket.write(request.headChars === undefined ? head : head.slice(0, request.headChars));
      if (request.headChars !== undefined || request.body === undefined) return;
      let sent = 0;
      const body = request.body;
      const piece = request.pieceChars ?? 1;
      timer = setInterval(() => {
        if (sent >= body.length || socket.destroyed) {
          clearInterval(timer);
          return;
        }
        socket.write(body.slice(sent, sent + piece));
        sent += piece;
      }, request.intervalMs ?? 100);
    });
  });
}
