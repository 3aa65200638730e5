import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConversationRuntime } from '../../src/conversation/conversation-runtime';
import { parseCommand } from '../../src/conversation/command';
import { contentHash } from '../../src/conversation/content-hash';

describe('createConversationRuntime', () => {
  test('wires store, manager, queue and limiter from options; a whole follow-up flow', async () => {
    const runtime = await createConversationRuntime({ queueStrategy: 'queue', maxConcurrentGenerations: 1 });
    try {
      const bytes = Buffer.from('fake png bytes');
      const blob = await runtime.backend.blobs.put(bytes, 'image/png');
      const first = await runtime.turn('dm:alice', async (session) => {
        session.addMedia({ kind: 'image', hash: contentHash(bytes), mime: 'image/png', size: { width: 200, height: 100 }, durationSec: null, source: { type: 'blob', key: blob.key }, name: 'shapes.png' });
        const plan = session.beginTurn('where is the red star?');
        if (plan.type !== 'ask') throw new Error('expected ask');
        const answer = await runtime.limiter.run(async () => 'the red star [0.100, 0.300, 0.200, 0.400]', { signal: session.signal });
        return session.addAnswer({ text: answer, boxes: [{ index: 1, box: { x1: 0.1, y1: 0.3, x2: 0.2, y2: 0.4 }, raw: '[0.100, 0.300, 0.200, 0.400]', label: 'the red star' }] }).regions;
      });
      expect(first).toMatchObject({ status: 'done', value: [{ number: 1, kind: 'box', pixels: { x1: 20, y1: 10, x2: 40, y2: 30 } }] });

      const second = await runtime.turn('dm:alice', (session) => {
        const plan = session.beginTurn('zoom into 1');
        if (plan.type !== 'ask' || plan.media?.source.type !== 'blob') throw new Error('expected a zoom on the blob');
        return { crop: plan.crop, question: plan.request.turns };
      });
      expect(second).toMatchObject({ status: 'done', value: { crop: { x: 0, y: 0, width: 64, height: 64 }, question: [{ role: 'user', text: 'What is in this image?' }] } });

      const memory = await runtime.turn('dm:alice', (session) => (parseCommand('what do you remember?')?.name === 'regions' ? session.describeMemory() : ''));
      expect(memory).toMatchObject({ status: 'done', value: expect.stringContaining('box 1 (the red star)') });
    } finally {
      await runtime.close();
    }
  });

  test('src/conversation imports no platform, ONNX or canvas code', () => {
    const dir = join(__dirname, '../../src/conversation');
    const forbidden = /from '(onnxruntime[^']*|canvas|@napi-rs\/canvas|sharp|discord\.js|@slack\/bolt|[^']*adapters[^']*|\.\.\/(engine\/onnx|render|media|bot)[^']*)'/;
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      expect([file, forbidden.exec(text)?.[0]]).toEqual([file, undefined]);
      expect([file, /export default/.test(text)]).toEqual([file, false]);
    }
  });
});
