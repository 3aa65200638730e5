import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { downloadSlackFile, MISSING_FILES_READ } from '../../adapters/slack/slack-file-attachment';
import type { SlackFile, SlackFileAccess } from '../../adapters/slack/slack-file-attachment';
import { LegoError } from '../../src/errors';
import { FakeSlack } from '../helpers/slack-fake/fake-slack';

const TOKEN = 'xoxb-download-test-token';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]);

async function failure(promise: Promise<unknown>): Promise<LegoError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LegoError) return error;
    throw error;
  }
  throw new Error('expected a LegoError');
}

describe('downloading url_private', () => {
  let slack: FakeSlack;
  let other: Server;
  let otherHits: { authorization: string | undefined }[];
  let access: SlackFileAccess;

  beforeAll(async () => {
    slack = new FakeSlack({ botToken: TOKEN });
    await slack.start();
    otherHits = [];
    other = createServer((request, response) => {
      otherHits.push({ authorization: request.headers.authorization });
      if (request.url === '/redirect') {
        response.writeHead(302, { location: `http://127.0.0.1:${(other.address() as AddressInfo).port}/elsewhere` }).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await slack.stop();
    await new Promise<void>((resolve) => other.close(() => resolve()));
  });

  beforeEach(() => {
    slack.filesRead = true;
    otherHits.length = 0;
    access = { botToken: TOKEN, hosts: [slack.host], allowInsecure: true };
  });

  function png(): SlackFile {
    return slack.addFile(PNG, { name: 'a.png', mimetype: 'image/png' }) as unknown as SlackFile;
  }

  it('fetches the bytes with the bot token', async () => {
    const bytes = await downloadSlackFile(png(), access, { maxBytes: 1 << 20 });
    expect(bytes.equals(PNG)).toBe(true);
    expect(slack.downloads.at(-1)?.authorised).toBe(true);
  });

  it('turns the 200 HTML login page (no files:read) into the scope message', async () => {
    slack.filesRead = false;
    const error = await failure(downloadSlackFile(png(), access, { maxBytes: 1 << 20 }));
    expect(error.code).toBe('download-refused');
    expect(error.userMessage).toBe(MISSING_FILES_READ);
    expect(error.userMessage).toContain('the app is missing the files:read scope');
  });

  it('refuses a file over the limit from its declared size, before downloading', async () => {
    const file = png();
    const before = slack.downloads.length;
    const error = await failure(downloadSlackFile(file, access, { maxBytes: 100 }));
    expect(error.code).toBe('too-large');
    expect(slack.downloads.length).toBe(before);
  });

  it('stops a download that passes the limit although the file claimed to be small', async () => {
    const file = { ...png(), size: 10 };
    const error = await failure(downloadSlackFile(file, access, { maxBytes: 500 }));
    expect(error.code).toBe('too-large');
  });

  it('refuses hosts that are not Slack file hosts, and plain http unless allowed; the token never goes there', async () => {
    const port = (other.address() as AddressInfo).port;
    const foreign: SlackFile = { id: 'F1', name: 'x.png', url_private: `http://127.0.0.1:${port}/x.png` };
    expect((await failure(downloadSlackFile(foreign, { ...access, hosts: ['files.slack.com'] }, { maxBytes: 1 << 20 }))).code).toBe('download-refused');
    expect((await failure(downloadSlackFile(png(), { ...access, allowInsecure: false }, { maxBytes: 1 << 20 }))).code).toBe('download-refused');
    expect(otherHits).toHaveLength(0);
  });

  it('does not follow a redirect off the allowed hosts', async () => {
    const port = (other.address() as AddressInfo).port;
    // allowed: localhost:PORT; the redirect goes to 127.0.0.1:PORT, which is not on the list
    const redirectElsewhere: SlackFile = { id: 'F3', name: 'x.png', url_private: `http://localhost:${port}/redirect` };
    const refused = await failure(downloadSlackFile(redirectElsewhere, { ...access, hosts: [`localhost:${port}`] }, { maxBytes: 1 << 20 }));
    expect(refused.code).toBe('download-refused');
    expect(otherHits).toHaveLength(1); // the redirect itself, not the target
  });

  it('says a non-media file is not something it reads', async () => {
    const file = slack.addFile(Buffer.from('just some notes\n'), { name: 'notes.txt', mimetype: 'text/plain' }) as unknown as SlackFile;
    expect((await failure(downloadSlackFile(file, access, { maxBytes: 1 << 20 }))).code).toBe('unsupported-media');
  });

  it('asks files.info when the event left the file details out', async () => {
    const full = png();
    const partial: SlackFile = { id: full.id, file_access: 'check_file_info' };
    const bytes = await downloadSlackFile(partial, { ...access, fileInfo: async () => full }, { maxBytes: 1 << 20 });
    expect(bytes.equals(PNG)).toBe(true);
  });
});
