import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkCdnUrl, toIncomingAttachment } from '../../adapters/discord/attachment-download';
import { LegoError } from '../../src/errors';

describe('Discord attachment download', () => {
  let server: Server;
  let host: string;
  const hits: string[] = [];
  const body = Buffer.alloc(5000, 1);

  beforeAll(async () => {
    server = createServer((request, response) => {
      hits.push(request.url ?? '');
      if (request.url === '/chunked') {
        response.writeHead(200, { 'content-type': 'image/png' });
        response.write(body);
        response.end(body);
      } else if (request.url === '/redirect-away') {
        response.writeHead(302, { location: 'http://localhost:1/evil.png' }).end();
      } else if (request.url === '/redirect-home') {
        response.writeHead(302, { location: '/ok' }).end();
      } else if (request.url === '/ok') {
        response.writeHead(200, { 'content-type': 'image/png', 'content-length': String(body.length) }).end(body);
      } else {
        response.writeHead(404).end();
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());
  beforeEach(() => {
    hits.length = 0;
  });

  const policy = (): { hosts: string[]; allowInsecure: boolean } => ({ hosts: [host], allowInsecure: true });
  const info = (path: string, size?: number) => ({ id: '1', name: 'a.png', contentType: 'image/png', size, url: `http://${host}${path}` });

  it('accepts only https on Discord CDN hosts by default', () => {
    const defaults = { hosts: ['cdn.discordapp.com', 'media.discordapp.net'], allowInsecure: false };
    expect(checkCdnUrl('https://cdn.discordapp.com/attachments/1/2/a.png?ex=1', defaults).host).toBe('cdn.discordapp.com');
    for (const url of ['http://cdn.discordapp.com/a.png', 'https://evil.example/a.png', 'https://cdn.discordapp.com.evil.example/a.png', 'https://user:pw@cdn.discordapp.com/a.png', 'file:///etc/passwd']) {
      expect(() => checkCdnUrl(url, defaults)).toThrow(LegoError);
    }
  });

  it('refuses from the declared size before any request', async () => {
    const attachment = toIncomingAttachment(info('/ok', 10_000_000), policy());
    await expect(attachment.fetch({ maxBytes: 1000 })).rejects.toMatchObject({ code: 'too-large' });
    expect(hits).toEqual([]);
  });

  it('downloads within the limit, and follows a redirect only to an allowed host', async () => {
    await expect(toIncomingAttachment(info('/ok', body.length), policy()).fetch({ maxBytes: 10_000 })).resolves.toEqual(body);
    await expect(toIncomingAttachment(info('/redirect-home'), policy()).fetch({ maxBytes: 10_000 })).resolves.toEqual(body);
    await expect(toIncomingAttachment(info('/redirect-away'), policy()).fetch({ maxBytes: 10_000 })).rejects.toMatchObject({ code: 'download-refused' });
  });

  it('stops at the limit while streaming when the size was not declared', async () => {
    await expect(toIncomingAttachment(info('/chunked'), policy()).fetch({ maxBytes: 6000 })).rejects.toMatchObject({ code: 'too-large' });
    await expect(toIncomingAttachment(info('/ok'), policy()).fetch({ maxBytes: 4000 })).rejects.toMatchObject({ code: 'too-large' });
  });

  it('says download-failed for an HTTP error', async () => {
    await expect(toIncomingAttachment(info('/missing'), policy()).fetch({ maxBytes: 6000 })).rejects.toMatchObject({ code: 'download-failed' });
  });
});
