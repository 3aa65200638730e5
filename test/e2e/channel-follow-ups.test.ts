/**
 * Channel follow-ups on Discord and Slack (real clients against the local fakes, real pipeline): a mention
 * without media from the same person in the same channel, soon after, continues that person's latest
 * conversation there — "@bot what is in box 1?" works without replying to the bot; a new image starts a
 * new conversation; when someone has posted another image since, the reply says which image it is about.
 */
import sharp from 'sharp';
import type { Bot } from '../../src/bot/bot';
import { createBot } from '../../src/bot/create-bot';
import { testConfig } from '../helpers/bot-fixtures';
import { startDiscordHarness } from '../helpers/discord-fake/discord-harness';
import type { DiscordHarness } from '../helpers/discord-fake/discord-harness';
import { FakeEngine } from '../helpers/fake-engine';
import { startSlackHarness } from '../helpers/slack-fake/slack-harness';
import type { SlackHarness } from '../helpers/slack-fake/slack-harness';

const TWO_BOXES = 'The red square [0.100, 0.200, 0.400, 0.500] is left of the blue square [0.550, 0.300, 0.900, 0.700].';
const BOX_1 = '[0.100, 0.200, 0.400, 0.500]';

async function png(r: number): Promise<Buffer> {
  return sharp({ create: { width: 160, height: 120, channels: 3, background: { r, g: 40, b: 40 } } }).png().toBuffer();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('channel follow-ups', () => {
  let first: Buffer;
  let second: Buffer;
  beforeAll(async () => {
    first = await png(200);
    second = await png(90);
  });

  describe('Discord', () => {
    let h: DiscordHarness | undefined;
    let bot: Bot | undefined;
    afterEach(async () => {
      await h?.close();
      await bot?.close();
    });

    test('"@bot what is in box 1?" in the channel continues the same user\'s conversation; a new image starts a new one; another image since is named', async () => {
      const engine = new FakeEngine({ replies: [TWO_BOXES, 'Box 1 is a red square.', 'It is blue.', TWO_BOXES] });
      bot = createBot({ config: testConfig(), engine });
      h = await startDiscordHarness({ handler: bot });
      const { fake, general, alice } = h;
      const bob = fake.user('bob');
      const answers = () => fake.botMessages(general.id);

      fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'where are the squares?', attachments: [{ name: 'shapes.png', data: first, contentType: 'image/png' }] });
      await fake.waitFor(() => answers().find((m) => m.content.includes('[2]')), 15_000, 'the first answer');

      // not a reply to the bot: a plain mention in the channel
      fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'what is in box 1?' });
      const follow = await fake.waitFor(() => answers().find((m) => m.content.includes('Box 1 is a red square')), 15_000, 'the follow-up answer');
      expect(follow.content).not.toMatch(/I need an image/);
      expect(engine.calls[1]!.request.turns.at(-1)!.text).toBe(`What is in ${BOX_1}?`);
      expect(engine.calls[1]!.request.turns).toHaveLength(3);
      expect(follow.content).not.toMatch(/earlier message/);

      // bob posts another picture (not to the bot): alice's next follow-up says which image it is about
      fake.sendMessage({ channelId: general.id, author: bob, content: 'look at mine', attachments: [{ name: 'bobs.png', data: second, contentType: 'image/png' }] });
      await sleep(200);
      fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'what colour is box 2?' });
      const named = await fake.waitFor(() => answers().find((m) => m.content.includes('It is blue')), 15_000, 'the second follow-up');
      expect(named.content).toMatch(/answering about shapes\.png from your earlier message \(https:\/\/discord\.com\/channels\/[^)]+\), not the latest image/);

      // a new image from alice starts a new conversation (nothing earlier is sent with it)
      fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'and here?', attachments: [{ name: 'new.png', data: second, contentType: 'image/png' }] });
      await fake.waitFor(() => engine.calls.length === 4 || undefined, 15_000, 'the new question');
      expect(engine.calls[3]!.request.turns).toHaveLength(1);

      // bob's plain mention is not alice's conversation
      fake.sendMessage({ channelId: general.id, author: bob, mentionBot: true, content: 'what is in box 1?' });
      await fake.waitFor(() => answers().find((m) => /I have no box 1|I need an image/.test(m.content)), 15_000, 'bob gets his own conversation');
    });

    test('after the window a plain mention is a new conversation again', async () => {
      const engine = new FakeEngine({ replies: [TWO_BOXES] });
      bot = createBot({ config: testConfig(), engine });
      h = await startDiscordHarness({ handler: bot, config: { followUpWindowMs: 300 } });
      const { fake, general, alice } = h;
      fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'where?', attachments: [{ name: 'shapes.png', data: first, contentType: 'image/png' }] });
      await fake.waitFor(() => fake.botMessages(general.id).find((m) => m.content.includes('[2]')), 15_000, 'the answer');
      await sleep(400);
      fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'what is in box 1?' });
      await fake.waitFor(() => fake.botMessages(general.id).find((m) => /I need an image/.test(m.content)), 15_000, 'a new conversation');
      expect(engine.calls).toHaveLength(1);
    });
  });

  describe('Slack', () => {
    let harness: SlackHarness | undefined;
    let bot: Bot | undefined;
    afterEach(async () => {
      await harness?.close();
      await bot?.close();
    });

    test('a plain mention at the top of the channel continues the user\'s conversation in its thread and answers about box 1', async () => {
      const engine = new FakeEngine({ replies: [TWO_BOXES, 'Box 1 is a red square.', 'It is blue.'] });
      bot = createBot({ config: testConfig(), engine });
      harness = await startSlackHarness({ handler: bot, config: {}, fake: {} });
      const slack = harness.slack;
      const mention = (text: string, ts: string, extra: Record<string, unknown> = {}) =>
        harness!.sendEvent({ type: 'app_mention', user: 'U000ALICE', text: `<@${slack.botUserId}> ${text}`, ts, channel: 'C0000CHAN', ...extra });
      const file = slack.addFile(first, { name: 'shapes.png', mimetype: 'image/png' });
      await mention('where are the squares?', '1700004000.000001', { files: [file] });
      await slack.waitFor(() => slack.thread('C0000CHAN', '1700004000.000001').some((m) => m.text.includes('[2]')), 10_000, 'the first answer');

      await mention('what is in box 1?', '1700004000.000002');
      await slack.waitFor(() => slack.thread('C0000CHAN', '1700004000.000001').some((m) => m.text.includes('Box 1 is a red square')), 10_000, 'the follow-up in the thread');
      expect(engine.calls[1]!.request.turns.at(-1)!.text).toBe(`What is in ${BOX_1}?`);

      // someone else's picture in the channel since: the answer says which image it is about
      const other = slack.addFile(second, { name: 'bobs.png', mimetype: 'image/png' });
      await harness.sendEvent({ type: 'message', channel_type: 'channel', user: 'U0000BOB0', text: 'mine', ts: '1700004000.000003', channel: 'C0000CHAN', files: [other] });
      await sleep(100);
      await mention('what colour is box 2?', '1700004000.000004');
      await slack.waitFor(
        () => slack.thread('C0000CHAN', '1700004000.000001').some((m) => /It is blue/.test(m.text) && /answering about shapes\.png from your earlier message/.test(m.text)),
        10_000,
        'the named follow-up',
      );
    });
  });
});
