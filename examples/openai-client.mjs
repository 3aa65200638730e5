// Ask `lego serve` with OpenAI's official npm client (`openai`, a devDependency here):
//
//   npx lego serve                # another terminal: http://127.0.0.1:8090/v1
//   node examples/openai-client.mjs assets/samples/red-star.png "Where is the red star?"
//
// The answer's text comes back as usual; LEGO's boxes and spans ride along in `message.grounding`
// (fractions of the model's padded square, and `pixels` / `seconds` on your original file).
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import OpenAI from 'openai';

const [file = 'assets/samples/red-star.png', ...words] = process.argv.slice(2);
const question = words.join(' ') || 'Where is the red star?';
const video = ['.mp4', '.webm', '.mov', '.mkv'].includes(extname(file).toLowerCase());
const type = video ? `video/${extname(file).slice(1)}` : extname(file).toLowerCase() === '.png' ? 'image/png' : 'image/jpeg';
const url = `data:${type};base64,${readFileSync(file).toString('base64')}`;

const client = new OpenAI({
  baseURL: process.env.LEGO_SERVE_URL ?? 'http://127.0.0.1:8090/v1',
  apiKey: process.env.LEGO_SERVE_API_KEY ?? 'not-needed', // lego serve asks for no key; a proxy in front of it may
});

const completion = await client.chat.completions.create({
  model: 'lego-tiny',
  temperature: 0,
  messages: [
    {
      role: 'user',
      content: [{ type: 'text', text: question }, video ? { type: 'video_url', video_url: { url } } : { type: 'image_url', image_url: { url } }],
    },
  ],
});

const message = completion.choices[0].message;
console.log(message.content);
const round = (o) => (o ? Object.values(o).map((v) => Math.round(v * 10) / 10).join(', ') : '');
for (const box of message.grounding?.boxes ?? []) console.log(`[${box.index}] ${box.label ?? ''}: x1, y1, x2, y2 = ${round(box.pixels)} px`);
for (const span of message.grounding?.spans ?? []) console.log(`[${span.index}] ${span.label ?? ''}: ${round(span.seconds)} s`);
