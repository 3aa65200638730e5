// Runs a bundle's graphs once with onnxruntime-node on given inputs and prints JSON {logits, image, video}:
// embed_tokens + decoder (prefill, empty past) on `ids`, vision_encoder on `image`, video_encoder on
// `video`, both with `query` (and the image with `sound` when its encoder hears), and the audio encoder on
// `audio` (with `query` when it takes the question) when the bundle has one. Used by from_onnx.py to check a rebuilt PyTorch model against the bundle.
const path = require('path');
const fs = require('fs');
const ort = require(path.join(process.cwd(), 'node_modules', 'onnxruntime-node'));

async function main() {
  const [bundle, casePath] = process.argv.slice(2);
  const man = JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
  const c = JSON.parse(fs.readFileSync(casePath, 'utf8'));
  const D = man.decoder;
  const open = (f) => ort.InferenceSession.create(path.join(bundle, f));
  const i64 = (a) => BigInt64Array.from(a.map((x) => BigInt(x)));
  const t = c.ids.length;
  const emb = await (await open(man.files.embed_tokens)).run({ input_ids: new ort.Tensor('int64', i64(c.ids), [1, t]) });
  const feeds = {
    inputs_embeds: emb.inputs_embeds,
    attention_mask: new ort.Tensor('int64', i64(Array(t).fill(1)), [1, t]),
    position_ids: new ort.Tensor('int64', i64([...Array(t).keys()]), [1, t]),
  };
  for (let l = 0; l < D.num_layers; l++) {
    for (const kv of ['key', 'value']) {
      feeds[`past_key_values.${l}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, D.num_heads, 0, D.head_dim]);
    }
  }
  const dec = await (await open(man.files.decoder)).run(feeds);
  const q = new ort.Tensor('int64', i64(c.query), [1, c.query.length]);
  const qm = new ort.Tensor('int64', i64(Array(c.query.length).fill(1)), [1, c.query.length]);
  const im = man.media.image, vi = man.media.video;
  const imgFeeds = { pixel_values: new ort.Tensor('float32', Float32Array.from(c.image), [1, 3, im.size, im.size]), query_ids: q, query_mask: qm };
  if (c.sound) {  // an image encoder that hears: the case's sound tokens, unmasked
    const a = man.media.audio.tokens;
    imgFeeds.sound_embeds = new ort.Tensor('float32', Float32Array.from(c.sound), [1, a, D.hidden_size]);
    imgFeeds.sound_mask = new ort.Tensor('int64', i64(Array(a).fill(1)), [1, a]);
  }
  const img = await (await open(man.files.vision_encoder)).run(imgFeeds);
  const vid = await (await open(man.files.video_encoder)).run({
    pixel_values_videos: new ort.Tensor('float32', Float32Array.from(c.video), [1, vi.frames, 3, vi.size, vi.size]), query_ids: q, query_mask: qm });
  let audio = null;
  if (c.audio && man.files.audio_encoder) {
    const a = man.media.audio.features;
    const enc = await open(man.files.audio_encoder);
    const af = { audio_features: new ort.Tensor('float32', Float32Array.from(c.audio), [1, c.audio_clips, a.n_mels, a.frames]) };
    if (enc.inputNames.includes('query_ids')) Object.assign(af, { query_ids: q, query_mask: qm });
    audio = Array.from((await enc.run(af)).audio_embeds.data);
  }
  process.stdout.write(JSON.stringify({ logits: Array.from(dec.logits.data), image: Array.from(img.image_features.data), video: Array.from(vid.video_features.data), audio }));
}
main().catch((e) => { console.error(e); process.exit(1); });
