import { ConversationSession } from '../../src/conversation/conversation-session';
import { describeMemory } from '../../src/conversation/memory-summary';
import { ConversationRecordSchema } from '../../src/conversation/record';
import type { MediaSound } from '../../src/conversation/record';
import { HASH_A, HASH_B, HASH_V, newSession } from './session-settings';

const session = (): ConversationSession => newSession();

const image = { kind: 'image' as const, hash: HASH_A, mime: 'image/png', size: { width: 640, height: 480 }, durationSec: null, source: { type: 'blob' as const, key: HASH_A }, name: 'scene.png' };
const sound = (hash: string, name: string): MediaSound => ({ hash, mime: 'audio/wav', durationSec: 2.5, source: { type: 'blob', key: hash }, name });

describe('a sound sent with an image', () => {
  it('is one media context with the image, kept for follow-ups and in the saved record', () => {
    const s = session();
    const media = s.addMedia({ ...image, sound: sound(HASH_B, 'hum.wav') });
    expect(media.sound).toMatchObject({ hash: HASH_B, name: 'hum.wav' });
    s.beginTurn('Where does this sound come from?');
    const box = { index: 1, box: { x1: 0.1, y1: 0.1, x2: 0.2, y2: 0.2 }, raw: '[0.1, 0.1, 0.2, 0.2]', label: 'red star' };
    s.addAnswer({ text: 'The sound comes from the red star at [0.1, 0.1, 0.2, 0.2].', boxes: [box], spans: [] });
    const followUp = s.beginTurn('What is in box 1?');
    expect(followUp.type).toBe('ask');
    expect(followUp.type === 'ask' ? followUp.media?.sound?.hash : undefined).toBe(HASH_B);
    const parsed = ConversationRecordSchema.parse(JSON.parse(JSON.stringify(s.record)));
    expect(parsed.media[0]!.sound).toEqual(sound(HASH_B, 'hum.wav'));
    expect(describeMemory(s.record)).toMatch(/image 1 \(current\): scene\.png, 640×480, with the sound hum\.wav \(2\.5 s\)/);
  });

  it('the same image with another sound is a new context; with the same sound, the earlier one', () => {
    const s = session();
    const first = s.addMedia({ ...image, sound: sound(HASH_B, 'hum.wav') });
    const other = s.addMedia({ ...image, sound: sound(HASH_V, 'buzz.wav') });
    expect(other.id).not.toBe(first.id);
    expect(s.addMedia({ ...image, sound: sound(HASH_B, 'hum.wav') }).id).toBe(first.id);
    expect(s.addMedia(image).sound).toBeNull();
  });

  it('reads records saved before sounds existed', () => {
    const s = session();
    s.addMedia(image);
    const old = JSON.parse(JSON.stringify(s.record)) as { media: Record<string, unknown>[] };
    delete old.media[0]!.sound;
    expect(ConversationRecordSchema.parse(old).media[0]!.sound).toBeNull();
  });
});
