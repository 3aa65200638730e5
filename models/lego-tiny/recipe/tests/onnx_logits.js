// Runs a bundle's decoder on given input embeddings: all at once, and split into prefill + cached step.
// Used by test_export.py to compare onnxruntime-node with PyTorch. Prints JSON {full, step}.
const path = require('path');
const fs = require('fs');
const ort = require(path.join(process.cwd(), 'node_modules', 'onnxruntime-node'));

async function main() {
  const [bundle, casePath] = process.argv.slice(2);
  const man = JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
  const c = JSON.parse(fs.readFileSync(casePath, 'utf8'));
  const D = man.decoder;
  const dec = await ort.InferenceSession.create(path.join(bundle, man.files.decoder));
  const ints = (n, from = 0) => BigInt64Array.from({ length: n }, (_, i) => BigInt(from + i));
  const ones = (n) => BigInt64Array.from({ length: n }, () => 1n);
  const emb = Float32Array.from(c.embeds);
  const d = D.hidden_size;
  const run = (e, t, p, past) => {
    const feeds = {
      inputs_embeds: new ort.Tensor('float32', e, [1, t, d]),
      attention_mask: new ort.Tensor('int64', ones(p + t), [1, p + t]),
      position_ids: new ort.Tensor('int64', ints(t, p), [1, t]),
    };
    for (let l = 0; l < D.num_layers; l++) {
      for (const kv of ['key', 'value']) {
        feeds[`past_key_values.${l}.${kv}`] = past
          ? past[`present.${l}.${kv}`]
          : new ort.Tensor('float32', new Float32Array(0), [1, D.num_heads, 0, D.head_dim]);
      }
    }
    return dec.run(feeds);
  };
  const full = await run(emb, c.t, 0, null);
  const pre = await run(emb.subarray(0, c.split * d), c.split, 0, null);
  const step = await run(emb.subarray(c.split * d), c.t - c.split, c.split, pre);
  process.stdout.write(JSON.stringify({ full: Array.from(full.logits.data), step: Array.from(step.logits.data) }));
}
main().catch((e) => { console.error(e); process.exit(1); });
