import { isThinkingModel, profileForModel, REMOTE_PROFILES } from '../../src/engine/remote/profile-table';
import { questionKind, REMOTE_PROFILE_NAMES } from '../../src/engine/remote/remote-profile';
import { RemoteEngine } from '../../src/engine/remote/remote-engine';
import { ThinkFilter } from '../../src/engine/remote/think-filter';
import { sourceSize } from '../../src/media/source-media';
import { qwenSmartResize } from '../../src/grounding/syntaxes/qwen-smart-resize';
import type { Logger } from '../../src/logger-type';

function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = (a: unknown, b?: unknown): void => void lines.push(typeof a === 'string' ? a : String(b));
  return { logger: { debug: () => undefined, info: log, warn: log, error: log } as Logger, lines };
}

describe('remote profiles', () => {
  it('has one profile per name, each naming itself', () => {
    expect(Object.keys(REMOTE_PROFILES).sort()).toEqual([...REMOTE_PROFILE_NAMES].sort());
    for (const [name, profile] of Object.entries(REMOTE_PROFILES)) expect(profile.name).toBe(name);
  });

  it.each([
    ['Qwen/Qwen3-VL-8B-Instruct', 'qwen3-vl'],
    ['Qwen/Qwen3-VL-30B-A3B-Thinking', 'qwen3-vl'],
    ['qwen3-vl:8b', 'qwen3-vl'],
    ['Qwen/Qwen2.5-VL-7B-Instruct', 'qwen2.5-vl'],
    ['qwen2.5vl:7b', 'qwen2.5-vl'],
    ['Qwen/Qwen2-VL-7B-Instruct', 'qwen2-vl'],
    ['Qwen/Qwen-VL-Chat', 'qwen-vl'],
    ['gemini-2.5-flash', 'gemini'],
    ['models/gemini-2.0-flash', 'gemini'],
    ['microsoft/Florence-2-large', 'florence-2'],
    ['microsoft/kosmos-2-patch14-224', 'kosmos-2'],
    ['lego-7b', 'lego'],
  ])('the name %s alone chooses %s', (model, profile) => {
    expect(profileForModel(model)).toBe(profile);
    expect(new RemoteEngine({ model, healthCheckIntervalMs: 0 }).profile.name).toBe(profile);
  });

  it('an unknown name gets lego and exactly one log line saying how to choose; an explicit profile wins', () => {
    const { logger, lines } = recordingLogger();
    const e = new RemoteEngine({ model: 'my-finetune', logger, healthCheckIntervalMs: 0 });
    expect(e.profile.name).toBe('lego');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/assuming the "lego" profile.*LEGO_REMOTE_PROFILE/);
    const q = new RemoteEngine({ model: 'my-finetune', profile: 'qwen3-vl', logger, healthCheckIntervalMs: 0 });
    expect(q.profile.name).toBe('qwen3-vl');
    expect(lines).toHaveLength(1);
  });

  it('non-LEGO profiles ask for the source media at their budget, LEGO for its tensors', () => {
    const qwen = new RemoteEngine({ model: 'Qwen/Qwen2.5-VL-7B-Instruct', healthCheckIntervalMs: 0 });
    expect(qwen.media.source?.image).toMatchObject({ multipleOf: 28 });
    expect(qwen.media.source?.video).toMatchObject({ kind: 'clip' });
    const gemini = new RemoteEngine({ model: 'gemini-2.5-flash', imageBudget: { maxSide: 1024 }, healthCheckIntervalMs: 0 });
    expect(gemini.media.source?.image?.maxSide).toBe(1024);
    expect(gemini.media.source?.video).toMatchObject({ kind: 'frames' });
    expect(new RemoteEngine({ model: 'microsoft/Florence-2-large', healthCheckIntervalMs: 0 }).media.source?.video).toBeNull();
    expect(new RemoteEngine({ model: 'lego', healthCheckIntervalMs: 0 }).media.source).toBeUndefined();
  });

  it('thinking models are known by name', () => {
    expect(isThinkingModel('Qwen/Qwen3-VL-8B-Thinking')).toBe(true);
    expect(isThinkingModel('Qwen/Qwen3-VL-8B-Instruct')).toBe(false);
  });

  it('tells where- from when-questions', () => {
    expect(questionKind('Where is the red circle?', 'image')).toBe('where');
    expect(questionKind('When does the red circle show up?', 'video')).toBe('when');
    expect(questionKind('What colour is it?', 'image')).toBe('other');
  });

  it('writes regions in each family’s own syntax', () => {
    const box = { x1: 0.1, y1: 0.2, x2: 0.5, y2: 0.6 };
    const media = { kind: 'image' as const, width: 1120, height: 840 };
    expect(REMOTE_PROFILES['qwen2.5-vl'].region(box, media)).toBe('{"bbox_2d":[112,168,560,504]}');
    expect(REMOTE_PROFILES['qwen3-vl'].region(box, media)).toBe('{"bbox_2d":[100,200,500,600]}');
    expect(REMOTE_PROFILES.gemini.region(box, media)).toBe('{"box_2d":[200,100,600,500]}');
    expect(REMOTE_PROFILES['florence-2'].region(box, media)).toBe('<loc_100><loc_200><loc_500><loc_600>');
    expect(REMOTE_PROFILES['kosmos-2'].region(box, media)).toBe('<object><patch_index_0195><patch_index_0623></object>');
    expect(REMOTE_PROFILES.gemini.span({ start: 0.25, end: 0.75 }, { ...media, kind: 'video', durationSec: 12 })).toBe('00:03 - 00:09');
    expect(REMOTE_PROFILES['qwen3-vl'].span({ start: 0.25, end: 0.75 }, { ...media, kind: 'video', durationSec: 12 })).toBe('from 3.0 to 9.0 seconds');
  });
});

describe('the size a source image is sent at', () => {
  it('keeps the aspect ratio within the budget and never enlarges', () => {
    expect(sourceSize({ width: 3000, height: 4000 }, { maxSide: 1536, maxPixels: 1536 * 1536, multipleOf: 1 })).toEqual({ width: 1152, height: 1536 });
    expect(sourceSize({ width: 300, height: 200 }, { maxSide: 1536, maxPixels: 1536 * 1536, multipleOf: 1 })).toEqual({ width: 300, height: 200 });
  });

  it('for Qwen2.5-VL: sides multiples of 28 that its own smart_resize leaves as they are', () => {
    const sent = sourceSize({ width: 3000, height: 4000 }, REMOTE_PROFILES['qwen2.5-vl'].image as never);
    expect(sent.width % 28).toBe(0);
    expect(sent.height % 28).toBe(0);
    expect(Math.max(sent.width, sent.height)).toBeGreaterThanOrEqual(1000);
    expect(qwenSmartResize(sent)).toEqual(sent);
    expect(Math.abs(sent.width / sent.height - 0.75)).toBeLessThan(0.03);
  });
});

describe('ThinkFilter', () => {
  function run(filter: ThinkFilter, pieces: string[]): string {
    return pieces.map((p) => filter.push(p)).join('') + filter.end();
  }

  it('drops <think>…</think> anywhere, even split over pieces', () => {
    expect(run(new ThinkFilter(false), ['Sure. <thi', 'nk>the box is [1, 2, 3, 4]</th', 'ink>\n\nIt is here.'])).toBe('Sure. \n\nIt is here.');
  });

  it('a thinking model’s text up to </think> is reasoning; without one it was all answer', () => {
    expect(run(new ThinkFilter(true), ['guess {"bbox_2d": [1,2,3,4]}', '</think>\n\nThe circle.'])).toBe('The circle.');
    expect(run(new ThinkFilter(true), ['The circle ', 'is here.'])).toBe('The circle is here.');
  });

  it('an answer without reasoning passes unchanged, a thought never closed is dropped', () => {
    expect(run(new ThinkFilter(false), [' a <b> [0.1, 0.2, 0.3, 0.4] <', 'x'])).toBe(' a <b> [0.1, 0.2, 0.3, 0.4] <x');
    expect(run(new ThinkFilter(false), ['Hi <think>still thinking'])).toBe('Hi ');
  });
});

describe('endpoint URLs', () => {
  it('adds /v1 to a bare host, keeps a versioned or OpenAI-compatibility root (Gemini)', async () => {
    const { apiRoot } = await import('../../src/engine/remote/remote-engine');
    expect(apiRoot('http://gpu1:8000')).toBe('http://gpu1:8000/v1');
    expect(apiRoot('http://gpu1:8000/v1/')).toBe('http://gpu1:8000/v1');
    expect(apiRoot('http://127.0.0.1:11434/v1')).toBe('http://127.0.0.1:11434/v1');
    expect(apiRoot('https://generativelanguage.googleapis.com/v1beta/openai')).toBe('https://generativelanguage.googleapis.com/v1beta/openai');
  });
});

describe('configuration', () => {
  it('LEGO_REMOTE_PROFILE and the image budget come from the environment, a wrong profile names the variable', async () => {
    const { loadConfig } = await import('../../src/config/load-config');
    const { remoteEngineOptions } = await import('../../src/config/remote');
    const { config } = loadConfig({ env: { LEGO_REMOTE_PROFILE: 'qwen3-vl', LEGO_REMOTE_MAX_PIXELS: '500000' } });
    expect(remoteEngineOptions(config.remote)).toMatchObject({ profile: 'qwen3-vl', imageBudget: { maxPixels: 500000 } });
    expect(loadConfig({ env: {} }).config.remote.profile).toBe('auto');
    expect(() => loadConfig({ env: { LEGO_REMOTE_PROFILE: 'qwen9' } })).toThrow(/LEGO_REMOTE_PROFILE/);
  });
});

describe('what a question asks for', () => {
  it.each([
    ['Where is the red circle?', 'image', 'where'],
    ['Draw a box around each cat.', 'image', 'where'],
    ['What colour is box 1?', 'image', 'other'],
    ['Where is the red circle?', undefined, 'other'],
    ['When does the ball bounce?', 'video', 'when'],
    ['During which seconds is it red?', 'video', 'when'],
    ['When was this photo taken?', 'image', 'other'],
  ] as const)('%s (%s) → %s', (question, media, kind) => {
    expect(questionKind(question, media)).toBe(kind);
  });
});
