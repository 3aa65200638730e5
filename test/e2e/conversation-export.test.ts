/**
 * Conversation export on every surface: the pipeline's "export" command gives conversation.md (the
 * chat as shown: coordinates as [n], the regions listed with their pixels) and a picture of each
 * answer's regions, linked from the Markdown. Discord `/lego export`, Slack `/lego export`, the web
 * chat's Export button (through its API), `lego chat`'s /export (a folder).
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { WebAdapter } from '../../adapters/web';
import type { Bot } from '../../src/bot/bot';
import { createBot } from '../../src/bot/create-bot';
import type { Reply } from '../../src/bot/types';
import { runCli } from '../../src/cli/program';
import type { CliIo } from '../../src/cli/cli-io';
import { memoryAttachment, testConfig } from '../helpers/bot-fixtures';
import { startDiscordHarness } from '../helpers/discord-fake/discord-harness';
import type { DiscordHarness } from '../helpers/discord-fake/discord-harness';
import { FakeEngine } from '../helpers/fake-engine';
import { httpRequest } from '../helpers/http-client';
import { startSlackHarness } from '../helpers/slack-fake/slack-harness';
import type { SlackHarness } from '../helpers/slack-fake/slack-harness';
import { readSse } from '../helpers/sse-reader';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const TWO_BOXES = 'The red square [0.100, 0.200, 0.400, 0.500] is left of the blue square [0.550, 0.300, 0.900, 0.700].';

async function shapesPng(): Promise<Buffer> {
  return sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 240, g: 240, b: 240 } } })
    .composite([{ input: { create: { width: 40, height: 40, channels: 3, background: { r: 220, g: 30, b: 30 } } }, left: 20, top: 30 }])
    .png()
    .toBuffer();
}

function fileNamed(reply: Pick<Reply, 'files'>, name: string) {
  return reply.files.find((f) => f.name === name);
}

describe('conversation export', () => {
  let png: Buffer;
  beforeAll(async () => {
    png = await shapesPng();
  });

  test('the pipeline: Markdown as the chat showed it, the regions with pixels, one picture per answer with regions', async () => {
    const engine = new FakeEngine({ replies: [TWO_BOXES, 'Box 2 is blue.', 'A red square.'] });
    const bot = createBot({ config: testConfig(), engine });
    try {
      const message = (text: string, attachments = [] as ReturnType<typeof memoryAttachment>[]) =>
        ({ platform: 'web' as const, conversationKey: 'export-1', messageId: String(Math.random()), author: { id: 'alice' }, text, attachments });
      expect((await bot.handle(message('export'))).text).toMatch(/nothing to export/);
      await bot.handle(message('where are the squares?', [memoryAttachment(png, 'shapes.png')]));
      await bot.handle(message('what colour is box 2?'));
      await bot.handle(message('what is in the region 20,30,60,70?'));
      const reply = await bot.handle(message('export'));
      expect(reply.error).toBeUndefined();
      expect(reply.text).toMatch(/conversation\.md.*2 pictures/);
      const md = fileNamed(reply, 'conversation.md')!.data.toString('utf8');
      expect(md).toMatch(/^# Conversation with LEGO bot/);
      expect(md).toContain('## Image 1: shapes.png (160×120)');
      expect(md).toContain('**You:** where are the squares?');
      expect(md).toContain('**LEGO bot:** The red square [1] is left of the blue square [2].');
      expect(md).toContain('**You:** what is in the region 20,30,60,70?');
      expect(md).not.toMatch(/0\.100|0\.550/);
      expect(md).toMatch(/- \*\*\[1\]\*\* box red square — x 16–64, y \d+–\d+ px/);
      expect(md).toMatch(/- \*\*\[3\]\*\* box \(drawn by you\) — x 20–60, y 30–70 px/);
      const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
      expect(links).toEqual(['turn-2-boxes.png', 'turn-6-boxes.png']);
      for (const link of links) expect(fileNamed(reply, link!)?.data.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      expect(reply.files.every((f) => f.kind === 'export')).toBe(true);
      // exporting is not a turn: the conversation did not change
      expect(engine.calls).toHaveLength(3);
    } finally {
      await bot.close();
    }
  });

  describe('Discord', () => {
    let h: DiscordHarness | undefined;
    let bot: Bot | undefined;
    afterEach(async () => {
      await h?.close();
      await bot?.close();
    });

    test('/lego export in the thread of a conversation sends conversation.md and the annotated picture as attachments', async () => {
      bot = createBot({ config: testConfig(), engine: new FakeEngine({ replies: [TWO_BOXES] }) });
      h = await startDiscordHarness({ handler: bot, config: { createThreads: true } });
      const { fake, general, alice } = h;
      const question = fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'where?', attachments: [{ name: 'a.png', data: png, contentType: 'image/png' }] });
      const threadId = question.id;
      await fake.waitFor(() => fake.botMessages(threadId).find((m) => m.attachments.length > 0), 15_000, 'the answer');
      fake.runSlashCommand({ channelId: threadId, user: alice, subcommand: 'export' });
      const exported = await fake.waitFor(
        () => [...fake.messages.values()].find((m) => m.attachments.some((a) => a.filename === 'conversation.md')),
        15_000,
        'the export',
      );
      const files = fake.filesOf(exported);
      const md = files.find((f) => f.attachment.filename === 'conversation.md')!.data.toString('utf8');
      expect(md).toContain('**LEGO bot:** The red square [1] is left of the blue square [2].');
      expect(files.find((f) => f.attachment.filename === 'turn-2-boxes.png')?.data.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    });
  });

  describe('Slack', () => {
    let harness: SlackHarness | undefined;
    let bot: Bot | undefined;
    afterEach(async () => {
      await harness?.close();
      await bot?.close();
    });

    test('/lego export in a DM uploads conversation.md and the picture', async () => {
      bot = createBot({ config: testConfig(), engine: new FakeEngine({ replies: [TWO_BOXES] }) });
      harness = await startSlackHarness({ handler: bot, config: {}, fake: {} });
      const slack = harness.slack;
      const file = slack.addFile(png, { name: 'a.png', mimetype: 'image/png' });
      await harness.sendEvent({ type: 'message', subtype: 'file_share', channel_type: 'im', channel: 'D0000ALICE', user: 'U000ALICE', text: 'where?', ts: '1700003000.000001', files: [file] });
      await slack.waitFor(() => slack.uploads.some((u) => u.completed !== undefined), 10_000, 'the answer picture');
      const before = slack.uploads.length;
      const response = await harness.sendCommand('export', { channel_id: 'D0000ALICE', channel_name: 'directmessage' });
      expect(response.status).toBe(200);
      await slack.waitFor(() => slack.uploads.slice(before).filter((u) => u.completed !== undefined).length >= 2, 10_000, 'the export uploads');
      const names = slack.uploads.slice(before).map((u) => u.filename);
      expect(names).toEqual(expect.arrayContaining(['conversation.md', 'turn-2-boxes.png']));
      const md = slack.uploads.slice(before).find((u) => u.filename === 'conversation.md')!.bytes!.toString('utf8');
      expect(md).toContain('The red square [1] is left of the blue square [2].');
    });
  });

  test('web: the Export button sends "export"; the reply links conversation.md and the picture', async () => {
    const bot = createBot({ config: testConfig(), engine: new FakeEngine({ replies: [TWO_BOXES] }) });
    const web = new WebAdapter({ bot }, { host: '127.0.0.1', port: 0 });
    await web.start();
    try {
      const page = await httpRequest(web.address, '/');
      expect(page.text).toMatch(/id="export-button"/);
      const js = await httpRequest(web.address, '/app.js');
      expect(js.text).toContain("send('export', true)");
      const up = await httpRequest(web.address, '/api/uploads?conversation=export-web-1&name=a.png', { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: png });
      const id = up.json<{ id: string }>().id;
      const chat = async (text: string, uploads: string[] = []) => {
        const res = await fetch(`${web.address}/api/chat`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ conversation: 'export-web-1', text, uploads }) });
        const events = (await readSse(res)).map((e) => JSON.parse(e) as { text?: string; files?: { name: string; url: string; kind: string }[] });
        return events.find((e) => Array.isArray(e.files))!;
      };
      await chat('where?', [id]);
      const reply = await chat('export');
      const md = reply.files!.find((f) => f.name === 'conversation.md')!;
      expect(md.kind).toBe('export');
      const text = await httpRequest(web.address, new URL(md.url, web.address).pathname);
      expect(text.text).toContain('The red square [1] is left of the blue square [2].');
      expect(reply.files!.map((f) => f.name)).toContain('turn-2-boxes.png');
    } finally {
      await web.stop();
      await bot.close();
    }
  });

  test('lego chat: /export writes a folder with conversation.md and the pictures it links to', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lego-export-cli-'));
    try {
      writeFileSync(join(dir, 'a.png'), png);
      let out = '';
      let err = '';
      const io: CliIo = {
        stdout: { write: (text: string) => (out += text) },
        stderr: { write: (text: string) => (err += text) },
        stdin: Readable.from([`/image ${join(dir, 'a.png')} where is it?\n`, '/export\n', '/quit\n']),
        interactive: false,
        cwd: dir,
      };
      const env = { LEGO_ENGINE_BUNDLE: 'models/test-bundle', LEGO_ENGINE_GENERATION_MAX_NEW_TOKENS: '8', LEGO_ENGINE_THREADS: '1' };
      const code = await runCli(['chat', '--out', join(dir, 'out')], io, { env });
      expect(err).toBe('');
      expect(code).toBe(0);
      const folder = join(dir, 'out', 'export-002');
      expect(existsSync(join(folder, 'conversation.md'))).toBe(true);
      const md = readFileSync(join(folder, 'conversation.md'), 'utf8');
      expect(md).toContain('**You:** where is it?');
      for (const link of [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!)) expect(readdirSync(folder)).toContain(link);
      expect(out).toContain('conversation.md');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
