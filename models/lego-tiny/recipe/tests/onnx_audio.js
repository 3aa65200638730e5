// Runs a bundle's audio encoder on given features ({clips, values}: float32 [1, clips, mels, frames]; and
// `query`, the question's ids, when the encoder takes one) with onnxruntime-node and prints the audio_embeds as JSON. Used by test_export.py to compare with PyTorch.
const path = require('path');
const fs = require('fs');
const ort = require(path.join(process.cwd(), 'node_modules', 'onnxruntime-node'));

async function main() {
  const [bundle, casePath] = process.argv.slice(2);
  const man = JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
  const c = JSON.parse(fs.readFileSync(casePath, 'utf8'));
  const f = man.media.audio.features;
  const enc = await ort.InferenceSession.create(path.join(bundle, man.files.audio_encoder));
  const out = [];
  for (const item of c.items) {
    const x = new ort.Tensor('float32', Float32Array.from(item.values), [1, item.clips, f.n_mels, f.frames]);
    const feeds = { audio_features: x };
    if (enc.inputNames.includes('query_ids')) {
      const q = item.query.map((v) => BigInt(v));
      feeds.query_ids = new ort.Tensor('int64', BigInt64Array.from(q), [1, q.length]);
      feeds.query_mask = new ort.Tensor('int64', BigInt64Array.from(q.map(() => 1n)), [1, q.length]);
    }
    const r = await enc.run(feeds);
    out.push({ dims: r.audio_embeds.dims, values: Array.from(r.audio_embeds.data) });
  }
  process.stdout.write(JSON.stringify(out));
}
main().catch((e) => { console.error(e); process.exit(1); });
