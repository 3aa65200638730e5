/**
 * 20 conversations × 3 turns at once through the one turn runner (the web chat's surface, the real bot
 * pipeline and conversation runtime, a FakeEngine that streams each question back): no errors, and no
 * cross-talk — every partial and every reply of a conversation is about its own question only.
 */
import { WebAdapter } from '../../adapters/web';
import type { WebReply } from '../../adapters/web';
import { createBot } from '../../src/bot/create-bot';
import type { Bot } from '../../src/bot/bot';
import { createConversationRuntime } from '../../src/conversation/conversation-runtime';
import type { ConversationRuntime } from '../../src/conversation/conversation-runtime';
import { testConfig } from '../helpers/bot-fixtures';
import { FakeEngine } from '../helpers/fake-engine';
import { httpRequest, parseSse } from '../helpers/http-client';

const CONVERSATIONS = 20;
const TURNS = 3;

describe('the turn runner under a 20×3 concurrent load', () => {
  let web: WebAdapter;
  let bot: Bot;
  let runtime: ConversationRuntime;

  beforeAll(async () => {
    runtime = await createConversationRuntime({ maxConcurrentGenerations: 4, maxQueuedGenerations: 200 });
    // each answer repeats the question's marker, in small pieces with a pause between them
    const engine = new FakeEngine({
      chunkSize: 3,
      delayMs: 2,
      fallback: (request) => {
        const question = request.turns.at(-1)?.text ?? '';
        return `You asked about ${question.replace(/\W/g, '')} and nothing else.`;
      },
    });
    bot = createBot({ config: testConfig({ bot: { textOnly: true } }), engine, runtime });
    web = new WebAdapter({ bot }, { port: 0, heartbeatMs: 0, partialIntervalMs: 0 });
    await web.start();
  });

  afterAll(async () => {
    await web.stop();
    await bot.close();
    await runtime.close();
  });

  it('answers every turn, each conversation only about its own questions', async () => {
    const errors: string[] = [];
    const crossTalk: string[] = [];
    let replies = 0;
    const conversation = async (c: number): Promise<void> => {
      const id = `load-test-${String(c).padStart(2, '0')}`;
      for (let t = 0; t < TURNS; t++) {
        const marker = `conv${c}turn${t}`;
        const res = await httpRequest(web.address, '/api/chat', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ conversation: id, text: marker }),
        });
        const events = parseSse(res.text);
        const reply = events.find((e) => e.event === 'reply')?.data as WebReply | undefined;
        if (res.status !== 200 || reply === undefined || reply.error !== undefined) {
          errors.push(`${marker}: ${res.status} ${JSON.stringify(reply?.error ?? null)}`);
          continue;
        }
        replies += 1;
        const texts = [...events.filter((e) => e.event === 'partial').map((e) => (e.data as { text: string }).text), reply.text];
        for (const text of texts) {
          const others = text.match(/conv\d+turn\d+/g)?.filter((m) => m !== marker) ?? [];
          if (others.length > 0) crossTalk.push(`${marker} saw ${others.join(',')}`);
        }
        if (!reply.text.includes(marker)) crossTalk.push(`${marker}: reply "${reply.text}"`);
      }
    };
    await Promise.all(Array.from({ length: CONVERSATIONS }, (_, c) => conversation(c)));
    expect(errors).toEqual([]);
    expect(crossTalk).toEqual([]);
    expect(replies).toBe(CONVERSATIONS * TURNS);
  }, 120_000);
});
