// Runs a bundle's decoder on given input embeddings: all at once, and split into prefill + cached step.
// Used by test_export.py to compare onnxruntime-node with PyTorch. Prints JSON {full, step, slot,
// stepTail}: `slot` is the cached step again with the cache held in a larger buffer whose unused
// slots are masked out (the way the engine keeps it); `stepTail` is the largest difference between
// present_step.* and the last positions of present.*.
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
  const run = (e, t, p, past, mask, from = p) => {
    const feeds = {
      inputs_embeds: new ort.Tensor('float32', e, [1, t, d]),
      attention_mask: new ort.Tensor('int64', mask ?? ones(p + t), [1, p + t]),
      position_ids: new ort.Tensor('int64', ints(t, from), [1, t]),
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
  const t = c.t - c.split;
  const step = await run(emb.subarray(c.split * d), t, c.split, pre);
  // present_step = the last t positions of present
  let stepTail = 0;
  const H = D.num_heads, hd = D.head_dim;
  for (let l = 0; l < D.num_layers; l++) {
    for (const kv of ['key', 'value']) {
      const all = step[`present.${l}.${kv}`].data, own = step[`present_step.${l}.${kv}`].data;
      const total = c.t;
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < t * hd; i++) {
          stepTail = Math.max(stepTail, Math.abs(own[h * t * hd + i] - all[(h * total + c.split) * hd + i]));
        }
      }
    }
  }
  // the cache in a buffer of cap > split positions, unused ones filled with junk and masked out
  const cap = c.split + 5;
  const slotted = {};
  for (let l = 0; l < D.num_layers; l++) {
    for (const kv of ['key', 'value']) {
      const src = pre[`present.${l}.${kv}`].data;
      const buf = new Float32Array(H * cap * hd).fill(3.5);
      for (let h = 0; h < H; h++) buf.set(src.subarray(h * c.split * hd, (h + 1) * c.split * hd), h * cap * hd);
      slotted[`present.${l}.${kv}`] = new ort.Tensor('float32', buf, [1, H, cap, hd]);
    }
  }
  const mask = BigInt64Array.from({ length: cap + t }, (_, i) => (i < c.split || i >= cap ? 1n : 0n));
  const slot = await run(emb.subarray(c.split * d), t, cap, slotted, mask, c.split);
  process.stdout.write(JSON.stringify({ full: Array.from(full.logits.data), step: Array.from(step.logits.data), slot: Array.from(slot.logits.data), stepTail }));
}
main().catch((e) => { console.error(e); process.exit(1); });
