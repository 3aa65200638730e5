/**
 * Each grounding syntax the remote engine reads (src/grounding/syntaxes), streamed by a stand-in
 * OpenAI-compatible server in small pieces, comes out of the bot's numbering with its regions as [n]
 * and no raw coordinates or markup left — the ranges come from the engine's one parse.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBot } from '../../src/bot/create-bot';
import { numberRegions } from '../../src/bot/numbered-text';
import { createConversationRuntime } from '../../src/conversation/conversation-runtime';
import { collectAnswer } from '../../src/engine/collect-answer';
import { RemoteEngine } from '../../src/engine/remote/remote-engine';
import type { GenerateRequest, PreparedMedia } from '../../src/engine/types';
import type { GroundingSyntaxName } from '../../src/grounding/syntaxes';
import { GROUNDING_SYNTAX_NAMES } from '../../src/grounding/syntaxes';
import { greyPng, memoryAttachment, message, testConfig } from '../helpers/bot-fixtures';
import { FAKE_MEDIA_SPEC } from '../helpers/fake-engine';

interface PeerAnswer {
  text: string;
  media: 'image' | 'video';
  /** the words that must stay in front of or around the numbers */
  keeps: string[];
  regions: number;
}

/** Answers as each family writes them, for the 96-px square and the 16-frame clip the engine sends. */
const ANSWERS: Record<GroundingSyntaxName, PeerAnswer> = {
  lego: { text: 'The red star is at [0.112, 0.430, 0.251, 0.618] and the ball moves {0.10, 0.35}.', media: 'image', keeps: ['red star is at', 'the ball moves'], regions: 2 },
  shikra: { text: 'There are two dogs [0.102,0.340,0.560,0.910;0.600,0.300,0.900,0.880] on the grass.', media: 'image', keeps: ['two dogs', 'on the grass'], regions: 2 },
  ferret: { text: 'There is a cat [120, 340, 560, 780] sitting next to a lamp [600, 52, 880, 610].', media: 'image', keeps: ['a cat', 'a lamp'], regions: 2 },
  'qwen-vl': {
    text: '<ref>the woman in red</ref><box>(211,412),(577,891)</box> is holding <ref>a dog</ref><box>(600,500),(800,950)</box><box>(50,600),(180,990)</box>',
    media: 'image',
    keeps: ['the woman in red', 'is holding', 'a dog'],
    regions: 3,
  },
  'qwen2-vl': {
    text: '<|object_ref_start|>the red car<|object_ref_end|><|box_start|>(102,455),(398,720)<|box_end|> is parked.',
    media: 'image',
    keeps: ['the red car', 'is parked.'],
    regions: 1,
  },
  // the sent square is 96 px: smart_resize -> 84
  'qwen2.5-vl': {
    text: 'Here they are:\n```json\n[\n\t{"bbox_2d": [21, 21, 63, 63], "label": "cat"},\n\t{"bbox_2d": [0, 0, 42, 42], "label": "dog"}\n]\n```',
    media: 'image',
    keeps: ['Here they are:', 'cat', 'dog'],
    regions: 2,
  },
  'qwen3-vl': {
    text: 'The cat is on the left.\n```json\n[\n  {"bbox_2d": [100, 250, 500, 750], "label": "cat"}\n]\n```',
    media: 'image',
    keeps: ['The cat is on the left.', 'cat'],
    regions: 1,
  },
  gemini: {
    text: '```json\n[\n  {"box_2d": [250, 100, 750, 500], "label": "dog"},\n  {"box_2d": [0, 600, 400, 1000], "label": "cat"}\n]\n```',
    media: 'image',
    keeps: ['dog', 'cat'],
    regions: 2,
  },
  seconds: { text: 'The circle shows from 00:03 to 00:09 and again between 0:12 and 0:15.', media: 'video', keeps: ['The circle shows', 'and again'], regions: 2 },
  'florence-2': {
    text: '</s>car<loc_52><loc_333><loc_932><loc_774>door handle<loc_700><loc_500><loc_760><loc_540>',
    media: 'image',
    keeps: ['car', 'door handle'],
    regions: 2,
  },
  'kosmos-2': {
    text: 'An image of<phrase> a snowman</phrase><object><patch_index_0044><patch_index_0863></object> warming himself by<phrase> a fire</phrase><object><patch_index_0005><patch_index_0911></delimiter_of_multi_objects/><patch_index_0100><patch_index_0200></object>.',
    media: 'image',
    keeps: ['An image of', 'a snowman', 'warming himself by', 'a fire'],
    regions: 3,
  },
  'minigpt-v2': {
    text: '<p>a brown dog</p> {<12><34><56><78>}<delim>{<60><30><90><88>} and <p>a ball</p> {<40><70><48><80>}',
    media: 'image',
    keeps: ['a brown dog', 'and', 'a ball'],
    regions: 3,
  },
  timechat: { text: '0.0 - 4.0 seconds, a man walks in. 8.0 - 12.0 seconds, he opens the fridge.', media: 'video', keeps: ['a man walks in', 'he opens the fridge'], regions: 2 },
  vtimellm: { text: 'The person opens the door from 08 to 37, then sits down from 40 to 99.', media: 'video', keeps: ['The person opens the door', 'then sits down'], regions: 2 },
};

const MARKUP = /<\/?(?:ref|box|phrase|object|p|delim|s)>|<\|[a-z_]+\|>|<loc_|<patch_index_|bbox_2d|```/;

let server: Server;
let url: string;
let nextAnswer = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/healthz') {
        res.end('{"status":"ok"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta: object, reason: string | null = null): string =>
        `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: reason }] })}\n\n`;
      // small pieces, so that markup is split across chunks as a real stream splits it
      for (let i = 0; i < nextAnswer.length; i += 3) res.write(chunk({ content: nextAnswer.slice(i, i + 3) }));
      res.write(chunk({}, 'stop'));
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function engine(syntax: GroundingSyntaxName): RemoteEngine {
  return new RemoteEngine({ media: FAKE_MEDIA_SPEC, model: 'm', endpoints: [url], syntax, retryBaseMs: 10, healthCheckIntervalMs: 0 });
}

function media(kind: 'image' | 'video'): PreparedMedia {
  const image = FAKE_MEDIA_SPEC.image!;
  const video = FAKE_MEDIA_SPEC.video!;
  if (kind === 'image') return { kind: 'image', size: { width: 200, height: 100 }, pixelValues: new Float32Array(3 * image.size * image.size) };
  return {
    kind: 'video',
    size: { width: 64, height: 48 },
    durationSec: 16,
    pixelValues: new Float32Array(video.frames * 3 * video.size * video.size),
    frameTimes: Array.from({ length: video.frames }, (_, i) => i + 0.5),
  };
}

function expectClean(text: string, answer: PeerAnswer): void {
  for (let n = 1; n <= answer.regions; n += 1) expect(text).toContain(`[${n}]`);
  expect(text).not.toContain(`[${answer.regions + 1}]`);
  // no coordinates left: the only digits are the region numbers
  expect(text.replace(/\[\d+\]/g, '')).not.toMatch(/\d/);
  expect(text).not.toMatch(MARKUP);
  for (const words of answer.keeps) expect(text).toContain(words);
}

describe('every peer syntax the remote engine reads ends up numbered, with no raw coordinates left', () => {
  it('covers every syntax in the registry', () => {
    expect(Object.keys(ANSWERS).sort()).toEqual([...GROUNDING_SYNTAX_NAMES].sort());
  });

  it.each(Object.keys(ANSWERS) as GroundingSyntaxName[])('%s', async (syntax) => {
    const answer = ANSWERS[syntax];
    nextAnswer = answer.text;
    const e = engine(syntax);
    try {
      const request: GenerateRequest = { turns: [{ role: 'user', text: 'Where?' }], media: media(answer.media) };
      const partials: string[] = [];
      const got = await collectAnswer(e.generate(request), {
        onProgress: (soFar) => {
          const regions = [...soFar.boxes, ...soFar.spans].sort((a, b) => a.start - b.start).map((r, i) => ({ ...r, number: i + 1 }));
          partials.push(numberRegions(soFar.text, regions, { partial: true, ...(soFar.pendingFrom === undefined ? {} : { pendingFrom: soFar.pendingFrom }) }));
        },
      });
      expect(got.text).toBe(answer.text);
      const all = [...got.boxes, ...got.spans].sort((a, b) => a.start - b.start);
      expect(all.length).toBe(answer.regions);
      for (const r of all) expect(got.text.slice(r.start, r.end)).toContain(r.raw);
      const numbered = numberRegions(got.text, all.map((r, i) => ({ start: r.start, end: r.end, shown: r.shown, number: i + 1 })));
      expectClean(numbered, answer);
      // the streamed text never shows a region's complete coordinates
      for (const partial of partials) for (const r of all) expect(partial).not.toContain(r.raw);
    } finally {
      await e.dispose();
    }
  });
});

describe('the bot numbers a remote answer from the engine’s offsets', () => {
  it.each(['kosmos-2', 'qwen2.5-vl', 'florence-2'] as const)('%s: reply text and boxes agree', async (syntax) => {
    const answer = ANSWERS[syntax];
    nextAnswer = answer.text;
    const e = engine(syntax);
    const runtime = await createConversationRuntime({});
    const bot = createBot({ config: testConfig(), engine: e, runtime });
    try {
      const partials: string[] = [];
      const reply = await bot.handle(message('Where are they?', [memoryAttachment(await greyPng(200, 100))]), { partial: (t) => void partials.push(t) });
      expect(reply.error).toBeUndefined();
      expectClean(reply.text, answer);
      expect(reply.boxes.map((b) => b.ref)).toEqual(Array.from({ length: answer.regions }, (_, i) => i + 1));
      expect(partials.length).toBeGreaterThan(0);
      for (const p of partials) expect(p).not.toMatch(/<loc_\d+><loc_\d+><loc_\d+><loc_\d+>|<patch_index_\d{4}><patch_index_\d{4}>|"bbox_2d": \[[\d, ]+\]/);
    } finally {
      await bot.close();
      await runtime.close();
      await e.dispose();
    }
  });
});
