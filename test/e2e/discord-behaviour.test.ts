/**
 * The Discord adapter's manners, end to end (real discord.js, fake Discord, real pipeline): DMs,
 * reply chains, empty mentions, other bots, several files, corrupt files, long streamed answers,
 * roles and DM settings, graceful shutdown, and registering the slash commands.
 */
import sharp from 'sharp';
import type { Bot } from '../../src/bot/bot';
import { createBot } from '../../src/bot/create-bot';
import type { DiscordConfig } from '../../adapters/discord/discord-config';
import type { AppConfigInput } from '../../src/cli/commands';
import { registerCommands } from '../../adapters/discord/register-commands';
import { FILES_FAILED_NOTICE } from '../../src/bot/reply-streamer';
import { CUT_OFF_TEXT } from '../../src/bot/turn-runner';
import { EMPTY_MENTION_TEXT } from '../../adapters/discord/user-texts';
import { appConfig } from '../helpers/bot-fixtures';
import { startDiscordHarness } from '../helpers/discord-fake/discord-harness';
import type { DiscordHarness, HarnessOptions } from '../helpers/discord-fake/discord-harness';
import type { StoredMessage } from '../helpers/discord-fake/payloads';
import { FakeEngine } from '../helpers/fake-engine';
import type { FakeReply } from '../helpers/fake-engine';

const ONE_BOX = 'The red square [0.100, 0.200, 0.400, 0.500] is on the left.';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('Discord adapter behaviour (discord.js against a local fake Discord)', () => {
  let h: DiscordHarness | undefined;
  let bot: Bot | undefined;
  let engine: FakeEngine;
  let png: Buffer;

  beforeAll(async () => {
    png = await sharp({ create: { width: 120, height: 90, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
  });

  async function setUp(options: Partial<HarnessOptions> = {}, replies: FakeReply[] = [ONE_BOX], pipeline: AppConfigInput = {}): Promise<DiscordHarness> {
    engine = new FakeEngine({ replies });
    bot = createBot({ config: appConfig(pipeline), engine });
    h = await startDiscordHarness({ handler: bot, ...options });
    return h;
  }

  afterEach(async () => {
    await h?.close();
    await bot?.close();
    h = undefined;
    bot = undefined;
  });

  function answered(channelId: string, predicate: (m: StoredMessage) => boolean = () => true, what = 'an answer'): Promise<StoredMessage> {
    const fake = h!.fake;
    return fake.waitFor(() => fake.botMessages(channelId).find(predicate), 15_000, what);
  }

  function image(name = 'red.png'): { name: string; data: Buffer; contentType: string } {
    return { name, data: png, contentType: 'image/png' };
  }

  it('answers a direct message without a mention', async () => {
    const { fake, alice } = await setUp();
    const dm = fake.openDm(alice);
    fake.sendMessage({ channelId: dm.id, author: alice, content: 'where is the red square?', attachments: [image()] });
    const reply = await answered(dm.id, (m) => m.attachments.length > 0);
    expect(reply.content).toContain('[1]');
    expect(engine.calls).toHaveLength(1);
  });

  it('stays silent in DMs when they are off, and for a member with a denied role', async () => {
    const { fake, alice, general, guild } = await setUp({ config: { dm: false } });
    const dm = fake.openDm(alice);
    fake.sendMessage({ channelId: dm.id, author: alice, content: 'hello?', attachments: [image()] });
    const mallory = fake.user('mallory');
    fake.giveRole(guild.id, mallory.id, guild.roles.find((r) => r.name === 'robots-banned')!.id);
    fake.sendMessage({ channelId: general.id, author: mallory, mentionBot: true, content: 'where?', attachments: [image()] });
    fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'help' });
    await answered(general.id);
    await sleep(200);
    expect(fake.botMessages()).toHaveLength(1);
    expect(fake.cdnDownloads).toEqual([]);
    expect(engine.calls).toHaveLength(0);
  });

  it('continues a reply chain without a mention, in the conversation of its root', async () => {
    const { fake, general, alice } = await setUp({}, [ONE_BOX, 'It is red.', 'It is square.']);
    const question = fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'where is the square?', attachments: [image()] });
    const first = await answered(general.id, (m) => m.attachments.length > 0);
    expect(first.message_reference?.message_id).toBe(question.id);
    // someone else's message without a mention is not for the bot, not even a reply to the question it answered
    const bob = fake.user('bob');
    fake.sendMessage({ channelId: general.id, author: bob, content: 'nice weather' });
    fake.sendMessage({ channelId: general.id, author: bob, content: 'cool picture', replyTo: question.id });
    fake.sendMessage({ channelId: general.id, author: alice, content: 'what colour is box 1?', replyTo: first.id });
    await answered(general.id, (m) => m.content.includes('It is red'));
    expect(engine.calls).toHaveLength(2);
    expect(engine.calls[1]?.request.turns.map((t) => t.role)).toEqual(['user', 'assistant', 'user']);
    expect(engine.calls[1]?.request.turns[2]?.text).toContain('[0.100, 0.200, 0.400, 0.500]');
    // a reply that pings the bot (Discord's default) mentions it, and still continues the same chain
    const second = await answered(general.id, (m) => m.content.includes('It is red'));
    fake.sendMessage({ channelId: general.id, author: alice, content: 'and its shape?', replyTo: second.id, pingReply: true });
    await answered(general.id, (m) => m.content.includes('It is square'));
    expect(engine.calls[2]?.request.turns.map((t) => t.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
  });

  it('answers an empty mention with a short help line, and ignores other bots and itself', async () => {
    const { fake, general, alice } = await setUp();
    const otherBot = { ...fake.user('robot'), bot: true };
    fake.sendMessage({ channelId: general.id, author: otherBot, mentionBot: true, content: 'where?', attachments: [image()] });
    fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: '' });
    const reply = await answered(general.id);
    expect(reply.content).toBe(EMPTY_MENTION_TEXT);
    await sleep(200);
    expect(fake.botMessages()).toHaveLength(1); // its own message (dispatched back by the gateway) is not answered either
    expect(engine.calls).toHaveLength(0);
    expect(fake.cdnDownloads).toEqual([]);
  });

  it('reads the first of several media and says so', async () => {
    const { fake, general, alice } = await setUp();
    fake.sendMessage({
      channelId: general.id,
      author: alice,
      mentionBot: true,
      content: 'where is the square?',
      attachments: [{ name: 'notes.txt', data: Buffer.from('hello'), contentType: 'text/plain' }, image('first.png'), image('second.png')],
    });
    const reply = await answered(general.id, (m) => m.attachments.length > 0);
    expect(reply.content).toContain('[1]');
    expect(reply.content).toMatch(/3 files.*first.*first\.png/s);
    expect(fake.cdnDownloads).toHaveLength(1);
    expect(fake.cdnDownloads[0]).toMatch(/first\.png$/);
  });

  it('answers a corrupt file with a short message and no stack trace', async () => {
    const { fake, general, alice } = await setUp();
    const corrupt = Buffer.concat([png.subarray(0, 40), Buffer.alloc(200, 7)]);
    fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'what is this?', attachments: [{ name: 'broken.png', data: corrupt, contentType: 'image/png' }] });
    const reply = await answered(general.id);
    expect(reply.content.length).toBeLessThan(300);
    expect(reply.content).toMatch(/sorry/i);
    expect(reply.content).not.toMatch(/\bat .+:\d+:\d+|Error:/);
    expect(engine.calls).toHaveLength(0);
  });

  it('streams a long answer with throttled edits and splits it into messages of at most 2,000 characters', async () => {
    const sentence = 'The red square [0.100, 0.200, 0.400, 0.500] is on the left of a long and winding description. ';
    const long = sentence.repeat(45);
    const { fake, general, alice } = await setUp({ config: { streamAfterMs: 0, editIntervalMs: 500 } }, [{ text: long, chunkSize: 40, delayMs: 25 }]);
    const started = Date.now();
    fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'describe it at length', attachments: [image()] });
    await fake.waitFor(() => fake.botMessages(general.id).length >= 2 && fake.botMessages(general.id)[0]!.attachments.length > 0 && fake.botMessages(general.id), 20_000, 'the split answer');
    await sleep(300);
    const elapsed = Date.now() - started;
    const messages = fake.botMessages(general.id);
    for (const message of messages) expect(message.content.length).toBeLessThanOrEqual(2000);
    const [first] = messages;
    // growing text was shown, then replaced; no more than one update per interval (+ the first send and the final edit)
    expect(first!.history.length).toBeGreaterThan(2);
    expect(first!.history[0]).toMatch(/…$/);
    expect(first!.editTimes.length).toBeLessThanOrEqual(Math.ceil(elapsed / 500) + 2);
    for (let i = 1; i < first!.editTimes.length - 1; i++) expect(first!.editTimes[i]! - first!.editTimes[i - 1]!).toBeGreaterThanOrEqual(450);
    // every piece ends at a sentence and no [n] is cut
    const all = messages.map((m) => m.content);
    for (const piece of all.slice(0, -1)) expect(piece.trimEnd()).toMatch(/\.$/);
    const refs = all.join(' ').match(/\[\d+\]/g) ?? [];
    expect(refs.length).toBe(45);
    for (const piece of all) expect(piece).not.toMatch(/\[\d*$|^\d*\]/);
    expect(first!.attachments).toHaveLength(1);
  });

  it('on shutdown lets a quick answer finish and tells the user of a slow one that it was cut off', async () => {
    let releaseQuick: () => void = () => undefined;
    const quickGate = new Promise<void>((resolve) => {
      releaseQuick = resolve;
    });
    const quick: FakeReply = async () => {
      await quickGate;
      return ONE_BOX;
    };
    const slow: FakeReply = { text: 'A very slow answer that will not make it.', chunkSize: 2, delayMs: 5000 };
    const { fake, general, alice, adapter } = await setUp({ config: { shutdownGraceMs: 600 } }, [quick, slow]);
    fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'quick one', attachments: [image()] });
    await fake.waitFor(() => engine.calls.length === 1 || undefined);
    fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'slow one', attachments: [image('other.png')] });
    await fake.waitFor(() => engine.calls.length === 2 || undefined);
    expect(adapter.inFlight).toBe(2);
    const stopping = adapter.stop();
    setTimeout(releaseQuick, 100);
    const started = Date.now();
    await stopping;
    expect(Date.now() - started).toBeLessThan(3000); // the slow answer was aborted after the grace period, not waited for
    const messages = fake.botMessages(general.id);
    expect(messages.find((m) => m.attachments.length > 0)?.content).toContain('[1]');
    expect(messages.some((m) => m.content.includes(CUT_OFF_TEXT))).toBe(true);
    expect(adapter.inFlight).toBe(0);
  });

  it('registers /lego (ask, reset, regions, export, help) globally or in one server through the REST API', async () => {
    const { fake } = await setUp();
    const config: DiscordConfig = appConfig({ discord: { token: fake.token, api: fake.apiBase } }).discord;
    const global = await registerCommands(config);
    expect(global).toEqual({ applicationId: fake.applicationId, scope: 'global', commands: ['lego'] });
    const [lego] = fake.registeredCommands.get('global') as { name: string; options: { name: string; type: number; options?: { name: string; type: number }[] }[] }[];
    expect(lego!.options.map((o) => o.name)).toEqual(['ask', 'reset', 'regions', 'export', 'help']);
    expect(lego!.options[0]!.options?.map((o) => [o.name, o.type])).toEqual([['question', 3], ['file', 11]]);
    const guildId = [...fake.guilds.keys()][0]!;
    const scoped = await registerCommands(config, guildId);
    expect(scoped.scope).toBe(guildId);
    expect(fake.registeredCommands.get(guildId)).toHaveLength(1);
  });

  it('answers /lego reset and /lego regions in the conversation of the last question there', async () => {
    const { fake, general, alice } = await setUp();
    fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'where is the square?', attachments: [image()] });
    await answered(general.id, (m) => m.attachments.length > 0);
    fake.runSlashCommand({ channelId: general.id, user: alice, subcommand: 'regions' });
    const regions = await answered(general.id, (m) => m.interaction_metadata !== undefined && m.content !== '');
    expect(regions.content).toMatch(/1/);
    expect(regions.content).toMatch(/red square/i);
    fake.runSlashCommand({ channelId: general.id, user: alice, subcommand: 'reset' });
    await answered(general.id, (m) => m.interaction_metadata !== undefined && /forgotten/i.test(m.content));
  });

  it('still answers in words when the server refuses the picture (upload too large)', async () => {
    const { fake, general, alice } = await setUp();
    fake.maxUploadBytes = 100;
    fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'where is the square?', attachments: [image()] });
    const reply = await answered(general.id);
    expect(reply.content).toContain('[1]');
    expect(reply.content).toContain(FILES_FAILED_NOTICE);
    expect(reply.attachments).toEqual([]);
    expect(fake.requests.filter((r) => r.status === 413)).toHaveLength(1);
  });
});
