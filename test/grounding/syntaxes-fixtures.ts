/**
 * Example answers in each model family's own syntax, written by hand after the papers' and model
 * cards' examples, with the boxes/spans a correct reader must find (fractions of the model's frame).
 */
import type { GroundingSyntaxName, SyntaxContext } from '../../src/grounding/syntaxes';

export interface SyntaxExample {
  syntax: GroundingSyntaxName;
  text: string;
  context?: SyntaxContext;
  boxes?: { box: [number, number, number, number]; label?: string }[];
  spans?: { span: [number, number]; label?: string }[];
}

export const SYNTAX_EXAMPLES: SyntaxExample[] = [
  {
    syntax: 'lego',
    text: 'The red star is at [0.112, 0.430, 0.251, 0.618] and the blue circle is at [0.500, 0.100, 0.700, 0.300].',
    boxes: [
      { box: [0.112, 0.43, 0.251, 0.618], label: 'red star' },
      { box: [0.5, 0.1, 0.7, 0.3], label: 'blue circle' },
    ],
  },
  {
    syntax: 'lego',
    text: 'The ball bounces during {0.09,0.15} and again during {0.16, 0.36}.',
    spans: [{ span: [0.09, 0.15], label: 'ball bounces' }, { span: [0.16, 0.36] }],
  },
  {
    syntax: 'shikra',
    text: 'There are two dogs [0.102,0.340,0.560,0.910;0.600,0.300,0.900,0.880] on the grass.',
    boxes: [{ box: [0.102, 0.34, 0.56, 0.91], label: 'two dogs' }, { box: [0.6, 0.3, 0.9, 0.88] }],
  },
  {
    syntax: 'ferret',
    text: 'There is a cat [120, 340, 560, 780] sitting next to a lamp [600, 52, 880, 610].',
    boxes: [
      { box: [0.12, 0.34, 0.56, 0.78], label: 'cat' },
      { box: [0.6, 0.052, 0.88, 0.61], label: 'lamp' },
    ],
  },
  {
    syntax: 'qwen-vl',
    text: '<ref>the woman in red</ref><box>(211,412),(577,891)</box> is holding <ref>a dog</ref><box>(600,500),(800,950)</box><box>(50,600),(180,990)</box>',
    boxes: [
      { box: [0.211, 0.412, 0.577, 0.891], label: 'the woman in red' },
      { box: [0.6, 0.5, 0.8, 0.95], label: 'a dog' },
      { box: [0.05, 0.6, 0.18, 0.99], label: 'a dog' },
    ],
  },
  {
    syntax: 'qwen2-vl',
    text: '<|object_ref_start|>the red car<|object_ref_end|><|box_start|>(102,455),(398,720)<|box_end|>',
    boxes: [{ box: [0.102, 0.455, 0.398, 0.72], label: 'the red car' }],
  },
  {
    syntax: 'qwen2.5-vl',
    // a 1000×750 photo: smart_resize -> 1008×756
    text: '```json\n[\n\t{"bbox_2d": [100, 75, 504, 378], "label": "dog"},\n\t{"bbox_2d": [504, 378, 1008, 756], "label": "cat"}\n]\n```',
    context: { imageSize: { width: 1000, height: 750 } },
    boxes: [
      { box: [100 / 1008, 75 / 756, 0.5, 0.5], label: 'dog' },
      { box: [0.5, 0.5, 1, 1], label: 'cat' },
    ],
  },
  {
    syntax: 'florence-2',
    text: '</s>car<loc_52><loc_333><loc_932><loc_774>door handle<loc_700><loc_500><loc_760><loc_540></s>',
    boxes: [
      { box: [0.0525, 0.3335, 0.9325, 0.7745], label: 'car' },
      { box: [0.7005, 0.5005, 0.7605, 0.5405], label: 'door handle' },
    ],
  },
  {
    syntax: 'kosmos-2',
    text: '<grounding> An image of<phrase> a snowman</phrase><object><patch_index_0044><patch_index_0863></object> warming himself by<phrase> a fire</phrase><object><patch_index_0005><patch_index_0911></object>.',
    boxes: [
      // 44 = (12, 1), 863 = (31, 26): different row and column -> patch centres
      { box: [12.5 / 32, 1.5 / 32, 31.5 / 32, 26.5 / 32], label: 'a snowman' },
      // 5 = (5, 0), 911 = (15, 28)
      { box: [5.5 / 32, 0.5 / 32, 15.5 / 32, 28.5 / 32], label: 'a fire' },
    ],
  },
  {
    syntax: 'minigpt-v2',
    text: '<p>a brown dog</p> {<12><34><56><78>}<delim>{<60><30><90><88>} and <p>a ball</p> {<40><70><48><80>}',
    boxes: [
      { box: [0.12, 0.34, 0.56, 0.78], label: 'a brown dog' },
      { box: [0.6, 0.3, 0.9, 0.88], label: 'a brown dog' },
      { box: [0.4, 0.7, 0.48, 0.8], label: 'a ball' },
    ],
  },
  {
    syntax: 'timechat',
    text: '0.0 - 6.9 seconds, a man walks into the kitchen. 7.2 - 15.0 seconds, he opens the fridge.',
    context: { durationSec: 20 },
    spans: [
      { span: [0, 0.345], label: 'a man walks into the kitchen' },
      { span: [0.36, 0.75], label: 'he opens the fridge' },
    ],
  },
  {
    syntax: 'vtimellm',
    text: 'The person opens the door from 08 to 37, then sits down from 40 to 99.',
    spans: [{ span: [0.08, 0.37], label: 'person opens the door' }, { span: [0.4, 0.99] }],
  },
  {
    syntax: 'qwen3-vl',
    // relative 0–1000 of the image, whatever its size
    text: 'The dog is on the left.\n```json\n[\n  {"bbox_2d": [100, 250, 500, 750], "label": "dog"}\n]\n```',
    boxes: [{ box: [0.1, 0.25, 0.5, 0.75], label: 'dog' }],
  },
  {
    syntax: 'gemini',
    // y first: [ymin, xmin, ymax, xmax], 0–1000
    text: '```json\n[\n  {"box_2d": [250, 100, 750, 500], "label": "dog"},\n  {"box_2d": [0, 600, 400, 1000], "label": "cat"}\n]\n```',
    boxes: [
      { box: [0.1, 0.25, 0.5, 0.75], label: 'dog' },
      { box: [0.6, 0, 1, 0.4], label: 'cat' },
    ],
  },
  {
    syntax: 'seconds',
    text: 'The red circle shows from 00:03 to 00:09, and the ball rolls between 0:12 and 0:15.',
    context: { durationSec: 20 },
    spans: [{ span: [0.15, 0.45] }, { span: [0.6, 0.75] }],
  },
];
