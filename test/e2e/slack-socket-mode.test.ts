/**
 * Socket Mode end to end: the real bolt App opens its connection with apps.connections.open on the
 * fake Web API (app-level token), takes envelopes over a local WebSocket, acks them, and answers
 * through the Web API like in HTTP mode.
 */
import sharp from 'sharp';
import { SlackAdapter } from '../../adapters/slack/slack-adapter';
import { createBot } from '../../src/bot/create-bot';
import type { Bot } from '../../src/bot/bot';
import { SlackConfigSchema } from '../../adapters/slack/slack-config';
import { FakeEngine } from '../helpers/fake-engine';
import { testConfig } from '../helpers/bot-fixtures';
import { FakeSlack } from '../helpers/slack-fake/fake-slack';
import { FakeSocketMode } from '../helpers/slack-fake/fake-socket-mode';
import { eventEnvelope } from '../helpers/slack-fake/signed-delivery';

const BOT_TOKEN = 'xoxb-socket-mode-bot-token';
const APP_TOKEN = 'xapp-1-socket-mode-app-token';
const CHANNEL = 'C0000CHAN';
const ALICE = 'U000ALICE';

describe('Slack Socket Mode end to end', () => {
  let socket: FakeSocketMode;
  let slack: FakeSlack;
  let adapter: SlackAdapter;
  let engine: FakeEngine;
  let bot: Bot;

  beforeEach(async () => {
    socket = new FakeSocketMode();
    await socket.start();
    slack = new FakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN, socketUrl: () => socket.url });
    await slack.start();
    engine = new FakeEngine({ replies: ['The red square [0.100, 0.200, 0.400, 0.500].'] });
    bot = createBot({ config: testConfig(), engine });
    adapter = new SlackAdapter({
      config: SlackConfigSchema.parse({
        mode: 'socket',
        botToken: BOT_TOKEN,
        appToken: APP_TOKEN,
        apiUrl: slack.apiUrl,
        fileHosts: [slack.host],
        allowInsecureFileHosts: true,
        updateIntervalMs: 250,
      }),
      handler: bot,
      clientOptions: { retryConfig: { retries: 2, factor: 1, minTimeout: 20, maxTimeout: 50 } },
    });
    await adapter.start();
    await slack.waitFor(() => socket.connections === 1, 5000, 'the socket connection');
  });

  afterEach(async () => {
    await adapter.stop();
    await bot.close();
    await slack.stop();
    await socket.stop();
  });

  it('acks a mention envelope, answers it in the thread with the upload, and answers a redelivery once', async () => {
    const png = await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 220, g: 30, b: 30 } } }).png().toBuffer();
    const file = slack.addFile(png, { name: 'red.png', mimetype: 'image/png' });
    const ts = '1700009000.000001';
    const envelope = eventEnvelope(slack.teamId, {
      type: 'app_mention', user: ALICE, text: `<@${slack.botUserId}> where is the red square?`, ts, channel: CHANNEL, team: slack.teamId, files: [file],
    });
    const first = socket.send('events_api', envelope);
    const again = socket.send('events_api', envelope, 1);
    await slack.waitFor(() => slack.uploads.some((u) => u.completed !== undefined), 10_000, 'the answer');
    await slack.waitFor(() => socket.acks.length >= 2, 5000, 'the acks');
    expect(socket.acks.map((ack) => ack.envelopeId)).toEqual(expect.arrayContaining([first, again]));
    expect(engine.calls).toHaveLength(1);
    expect(slack.uploads.find((u) => u.completed !== undefined)?.completed).toEqual(expect.objectContaining({ channelId: CHANNEL, threadTs: ts }));
    expect(slack.thread(CHANNEL, ts).map((m) => m.text).join('\n')).toContain('[1]');
  });

  it('takes /lego over the socket', async () => {
    const id = socket.send('slash_commands', {
      command: '/lego', text: 'help', team_id: slack.teamId, channel_id: CHANNEL, user_id: ALICE, response_url: `${slack.baseUrl}/respond/1`, trigger_id: 't',
    });
    await slack.waitFor(() => slack.responses.length === 1, 5000, 'the help response');
    expect(socket.acks.map((ack) => ack.envelopeId)).toContain(id);
    expect(String(slack.responses[0]?.body.text)).toContain('/lego ask');
  });
});
