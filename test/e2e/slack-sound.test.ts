/**
 * Sound on Slack, end to end (the real bolt App against the local fake Slack): two files in one message,
 * an image and a sound, both reach the pipeline (fetched with the bot token) and the reply's picture is
 * uploaded into the thread.
 */
import { readFileSync } from 'node:fs';
import { greyPng } from '../helpers/bot-fixtures';
import { ScriptedBot } from '../helpers/scripted-bot';
import { startSlackHarness } from '../helpers/slack-fake/slack-harness';
import type { SlackHarness } from '../helpers/slack-fake/slack-harness';

jest.setTimeout(30_000);

const WAV = readFileSync('models/test-bundle/reference/audio-case-0.wav');

describe('Slack: an image and a sound in one message', () => {
  let harness: SlackHarness | undefined;
  afterEach(async () => harness?.close());

  it('passes both files to the pipeline and uploads the reply picture into the thread', async () => {
    const annotated = await greyPng(80, 60, 200);
    const bot = new ScriptedBot({
      replies: [{ text: 'The bell [1] rings.', files: [{ name: 'lego-boxes.png', contentType: 'image/png', data: annotated, kind: 'annotated-image' }] }],
    });
    harness = await startSlackHarness({ handler: bot, config: {}, fake: {} });
    const png = await greyPng(80, 60);
    const image = harness.slack.addFile(png, { name: 'room.png', mimetype: 'image/png' });
    const sound = harness.slack.addFile(WAV, { name: 'ring.wav', mimetype: 'audio/wav' });
    const ts = '1700002000.000001';
    const event = { type: 'app_mention', user: 'U000ALICE', text: `<@${harness.slack.botUserId}> where does the sound come from?`, ts, channel: 'C0000CHAN', files: [image, sound] };
    expect((await harness.sendEvent(event)).status).toBe(200);
    const slack = harness.slack;
    await slack.waitFor(() => slack.uploads.some((u) => u.completed !== undefined), 10_000, 'the upload');
    expect(bot.calls[0]!.message.attachments.map((a) => a.name)).toEqual(['room.png', 'ring.wav']);
    expect(bot.calls[0]!.bytes).toEqual([png, WAV]);
    expect(slack.downloads).toEqual([expect.objectContaining({ authorised: true }), expect.objectContaining({ authorised: true })]);
    expect(slack.uploads.find((u) => u.completed !== undefined)?.bytes).toEqual(annotated);
    expect(slack.thread('C0000CHAN', ts).map((m) => m.text).join('\n')).toContain('The bell [1] rings.');
  });
});
