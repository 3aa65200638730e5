/**
 * Sound on Discord, end to end (real discord.js against the local fake Discord): an image and an audio
 * attachment in one message, and a voice message replying to someone's picture, both reach the pipeline
 * as an image and its sound (in that order), and the reply comes back with its picture.
 */
import { readFileSync } from 'node:fs';
import { greyPng } from '../helpers/bot-fixtures';
import { startDiscordHarness } from '../helpers/discord-fake/discord-harness';
import type { DiscordHarness } from '../helpers/discord-fake/discord-harness';
import { ScriptedBot } from '../helpers/scripted-bot';

jest.setTimeout(30_000);

const WAV = readFileSync('models/test-bundle/reference/audio-case-0.wav');

describe('Discord: an image with a sound', () => {
  let h: DiscordHarness | undefined;
  let png: Buffer;
  let annotated: Buffer;

  beforeAll(async () => {
    png = await greyPng(80, 60);
    annotated = await greyPng(80, 60, 200);
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  function pictureReply(): ScriptedBot {
    return new ScriptedBot({
      replies: [{ text: 'The bell [1] rings.', files: [{ name: 'lego-boxes.png', contentType: 'image/png', data: annotated, kind: 'annotated-image' }] }],
    });
  }

  it('hears an image and an audio attachment of one message together and answers with the picture', async () => {
    const bot = pictureReply();
    h = await startDiscordHarness({ handler: bot });
    const { fake, general, alice } = h;
    fake.sendMessage({
      channelId: general.id,
      author: alice,
      mentionBot: true,
      content: 'where does this sound come from?',
      attachments: [
        { name: 'ring.wav', data: WAV, contentType: 'audio/wav' },
        { name: 'room.png', data: png, contentType: 'image/png' },
      ],
    });
    const reply = await fake.waitFor(() => fake.botMessages(general.id).find((m) => m.attachments.length > 0), 15_000, 'the answer with its picture');
    expect(reply.content).toContain('The bell [1] rings.');
    expect(fake.filesOf(reply)[0]?.data).toEqual(annotated);
    const call = bot.calls[0]!;
    expect(call.message.attachments.map((a) => a.name)).toEqual(['room.png', 'ring.wav']);
    expect(call.bytes[1]).toEqual(WAV);
    // both files were read: no "I looked at the first one only"
    expect(reply.content).not.toMatch(/files; I looked/);
  });

  it("hears a voice message replying to someone's picture with that picture", async () => {
    const bot = pictureReply();
    h = await startDiscordHarness({ handler: bot });
    const { fake, general, alice } = h;
    const picture = fake.sendMessage({ channelId: general.id, author: alice, content: 'my desk', attachments: [{ name: 'desk.png', data: png, contentType: 'image/png' }] });
    fake.sendMessage({
      channelId: general.id,
      author: alice,
      mentionBot: true,
      replyTo: picture.id,
      attachments: [{ name: 'voice-message.ogg', data: WAV, contentType: 'audio/ogg' }],
    });
    await fake.waitFor(() => fake.botMessages(general.id).find((m) => m.attachments.length > 0), 15_000, 'the answer with its picture');
    expect(bot.calls).toHaveLength(1);
    expect(bot.calls[0]!.message.attachments.map((a) => a.name)).toEqual(['desk.png', 'voice-message.ogg']);
    expect(bot.calls[0]!.bytes[0]).toEqual(png);
  });

  it('still reads one picture of two, with a notice', async () => {
    const bot = new ScriptedBot();
    h = await startDiscordHarness({ handler: bot });
    const { fake, general, alice } = h;
    fake.sendMessage({
      channelId: general.id,
      author: alice,
      mentionBot: true,
      content: 'what is this?',
      attachments: [
        { name: 'a.png', data: png, contentType: 'image/png' },
        { name: 'b.png', data: png, contentType: 'image/png' },
      ],
    });
    const reply = await fake.waitFor(() => fake.botMessages(general.id).find((m) => m.content.includes('You said')), 15_000, 'the answer');
    expect(bot.calls[0]!.message.attachments.map((a) => a.name)).toEqual(['a.png']);
    expect(reply.content).toMatch(/You sent 2 files; I looked at the first picture or video \(“a\.png”\) only/);
  });
});
