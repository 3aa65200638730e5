import { LegoError } from '../../errors';
import type { BundleManifest } from './bundle-manifest';

/** A dimension a graph must have: a number the manifest fixes (and where it comes from), or a free one. */
export type Dim = { size: number; from: string } | 'batch' | 'dynamic';

export interface TensorContract {
  name: string;
  type: 'float32' | 'int64' | 'bool';
  dims: readonly Dim[];
}

export interface GraphContract {
  /** the manifest's key for the file (`files.decoder`) and its path, for error messages */
  key: string;
  file: string;
  inputs: readonly TensorContract[];
  /** inputs the graph may have (the engine feeds them when it does) */
  optionalInputs: readonly TensorContract[];
  outputs: readonly TensorContract[];
  /** outputs the graph may have, all of a group or none (the engine uses them when it does) */
  optionalOutputs?: readonly TensorContract[];
}

/** What ORT says about one input or output (InferenceSession.inputMetadata / outputMetadata). */
export interface ValueInfo {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}

const fixed = (size: number, from: string): Dim => ({ size, from });

export function embedTokensContract(m: BundleManifest): GraphContract {
  return {
    key: 'files.embed_tokens',
    file: m.files.embed_tokens,
    inputs: [{ name: 'input_ids', type: 'int64', dims: ['batch', 'dynamic'] }],
    optionalInputs: [],
    outputs: [{ name: 'inputs_embeds', type: 'float32', dims: ['batch', 'dynamic', fixed(m.decoder.hidden_size, 'decoder.hidden_size')] }],
  };
}

const queryInputs: readonly TensorContract[] = [
  { name: 'query_ids', type: 'int64', dims: ['batch', 'dynamic'] },
  { name: 'query_mask', type: 'int64', dims: ['batch', 'dynamic'] },
];

/**
 * An image encoder whose fusion hears the turn's sound (lego-tiny v2): the audio encoder's tokens and a
 * mask (0 = no sound with this image). Only a bundle with an audio encoder can have them.
 */
function soundInputs(m: BundleManifest): readonly TensorContract[] {
  const audio = m.media.audio;
  if (audio === null || m.files.audio_encoder === null) return [];
  const tokens = fixed(audio.tokens, 'media.audio.tokens');
  return [
    { name: 'sound_embeds', type: 'float32', dims: ['batch', tokens, fixed(m.decoder.hidden_size, 'decoder.hidden_size')] },
    { name: 'sound_mask', type: 'int64', dims: ['batch', tokens] },
  ];
}

export function visionEncoderContract(m: BundleManifest): GraphContract | null {
  const img = m.media.image;
  if (img === null || m.files.vision_encoder === null) return null;
  return {
    key: 'files.vision_encoder',
    file: m.files.vision_encoder,
    inputs: [
      {
        name: 'pixel_values',
        type: 'float32',
        dims: ['batch', fixed(3, 'RGB channels'), fixed(img.size, 'media.image.size'), fixed(img.size, 'media.image.size')],
      },
    ],
    optionalInputs: [...queryInputs, ...soundInputs(m)],
    outputs: [
      {
        name: 'image_features',
        type: 'float32',
        dims: ['batch', fixed(img.tokens, 'media.image.tokens'), fixed(m.decoder.hidden_size, 'decoder.hidden_size')],
      },
    ],
  };
}

export function videoEncoderContract(m: BundleManifest): GraphContract | null {
  const vid = m.media.video;
  if (vid === null || m.files.video_encoder === null) return null;
  return {
    key: 'files.video_encoder',
    file: m.files.video_encoder,
    inputs: [
      {
        name: 'pixel_values_videos',
        type: 'float32',
        dims: [
          'batch',
          fixed(vid.frames, 'media.video.frames'),
          fixed(3, 'RGB channels'),
          fixed(vid.size, 'media.video.size'),
          fixed(vid.size, 'media.video.size'),
        ],
      },
    ],
    optionalInputs: queryInputs,
    outputs: [
      {
        name: 'video_features',
        type: 'float32',
        dims: ['batch', fixed(vid.tokens, 'media.video.tokens'), fixed(m.decoder.hidden_size, 'decoder.hidden_size')],
      },
    ],
  };
}

export function audioEncoderContract(m: BundleManifest): GraphContract | null {
  const audio = m.media.audio;
  if (audio === null || m.files.audio_encoder === null) return null;
  return {
    key: 'files.audio_encoder',
    file: m.files.audio_encoder,
    inputs: [
      {
        name: 'audio_features',
        type: 'float32',
        // clips are free: media.audio.clips for a sound, media.audio.soundtrack_clips for a video's soundtrack
        dims: ['batch', 'dynamic', fixed(audio.features.n_mels, 'media.audio.features.n_mels'), fixed(audio.features.frames, 'media.audio.features.frames')],
      },
    ],
    // lego-tiny v2.1: the sound tokens read the question (query_ids/query_mask) and the graph also gives the
    // encoder's own tokens, which an image encoder that hears takes (sound_embeds); the decoder takes audio_embeds
    optionalInputs: queryInputs,
    outputs: [
      {
        name: 'audio_embeds',
        type: 'float32',
        dims: ['batch', fixed(audio.tokens, 'media.audio.tokens'), fixed(m.decoder.hidden_size, 'decoder.hidden_size')],
      },
    ],
    optionalOutputs: [
      {
        name: 'sound_embeds',
        type: 'float32',
        dims: ['batch', fixed(audio.tokens, 'media.audio.tokens'), fixed(m.decoder.hidden_size, 'decoder.hidden_size')],
      },
    ],
  };
}

export function decoderContract(m: BundleManifest): GraphContract {
  const d = m.decoder;
  const hidden = fixed(d.hidden_size, 'decoder.hidden_size');
  const heads = fixed(d.num_heads, 'decoder.num_heads');
  const headDim = fixed(d.head_dim, 'decoder.head_dim');
  const past: TensorContract[] = [];
  const present: TensorContract[] = [];
  const presentStep: TensorContract[] = [];
  for (let i = 0; i < d.num_layers; i += 1) {
    for (const kind of ['key', 'value']) {
      past.push({ name: `past_key_values.${i}.${kind}`, type: 'float32', dims: ['batch', heads, 'dynamic', headDim] });
      present.push({ name: `present.${i}.${kind}`, type: 'float32', dims: ['batch', heads, 'dynamic', headDim] });
      presentStep.push({ name: `present_step.${i}.${kind}`, type: 'float32', dims: ['batch', heads, 'dynamic', headDim] });
    }
  }
  return {
    key: 'files.decoder',
    file: m.files.decoder,
    inputs: [
      { name: 'inputs_embeds', type: 'float32', dims: ['batch', 'dynamic', hidden] },
      { name: 'attention_mask', type: 'int64', dims: ['batch', 'dynamic'] },
      { name: 'position_ids', type: 'int64', dims: ['batch', 'dynamic'] },
      ...past,
    ],
    // Optimum's merged decoders switch between the no-cache and cache branches with this flag
    optionalInputs: [{ name: 'use_cache_branch', type: 'bool', dims: [fixed(1, 'a flag')] }],
    outputs: [{ name: 'logits', type: 'float32', dims: ['batch', 'dynamic', fixed(d.vocab_size, 'decoder.vocab_size')] }, ...present],
    // this call's own keys/values (lego-tiny's export): the engine then keeps the cache itself
    optionalOutputs: presentStep,
  };
}

/** Which optional inputs and outputs a checked graph has. */
export interface CheckedGraph {
  optionalInputs: ReadonlySet<string>;
  optionalOutputs: ReadonlySet<string>;
}

/**
 * Checks a graph's inputs and outputs against its contract: names, element types, ranks and every
 * dimension the manifest fixes. Throws LegoError('bundle-invalid') naming the file and the mismatch.
 * Symbolic dimensions where the manifest expects a number pass here; the loader's trial run checks
 * those with real tensors.
 */
export function checkGraph(contract: GraphContract, inputs: readonly ValueInfo[], outputs: readonly ValueInfo[]): CheckedGraph {
  const fail = (problem: string): never => {
    throw new LegoError('bundle-invalid', `${contract.file} (${contract.key}) ${problem}`, {
      details: { file: contract.file, key: contract.key },
    });
  };
  const byName = (list: readonly ValueInfo[]): Map<string, ValueInfo> => new Map(list.map((v) => [v.name, v]));
  const ins = byName(inputs);
  const outs = byName(outputs);
  const optional = new Set<string>();
  for (const c of contract.inputs) {
    const v = ins.get(c.name);
    if (v === undefined) fail(`has no input "${c.name}" (inputs: ${[...ins.keys()].join(', ') || 'none'})`);
    else checkTensor('input', c, v, fail);
  }
  for (const c of contract.optionalInputs) {
    const v = ins.get(c.name);
    if (v === undefined) continue;
    checkTensor('input', c, v, fail);
    optional.add(c.name);
  }
  const known = new Set([...contract.inputs, ...contract.optionalInputs].map((c) => c.name));
  for (const name of ins.keys()) {
    if (!known.has(name)) fail(`has an input "${name}" that the bundle format does not describe`);
  }
  if (optional.has('query_ids') !== optional.has('query_mask')) fail('has only one of the inputs "query_ids" and "query_mask"');
  if (optional.has('sound_embeds') !== optional.has('sound_mask')) fail('has only one of the inputs "sound_embeds" and "sound_mask"');
  for (const c of contract.outputs) {
    const v = outs.get(c.name);
    if (v === undefined) fail(`has no output "${c.name}" (outputs: ${[...outs.keys()].join(', ') || 'none'})`);
    else checkTensor('output', c, v, fail);
  }
  const optionalOut = new Set<string>();
  const group = contract.optionalOutputs ?? [];
  for (const c of group) {
    const v = outs.get(c.name);
    if (v === undefined) continue;
    checkTensor('output', c, v, fail);
    optionalOut.add(c.name);
  }
  if (optionalOut.size > 0 && optionalOut.size < group.length) {
    const missing = group.filter((c) => !optionalOut.has(c.name)).map((c) => c.name);
    fail(`has only some of its optional outputs (missing ${missing.join(', ')})`);
  }
  return { optionalInputs: optional, optionalOutputs: optionalOut };
}

function checkTensor(kind: 'input' | 'output', c: TensorContract, v: ValueInfo, fail: (p: string) => never): void {
  if (!v.isTensor) fail(`${kind} "${c.name}" is not a tensor`);
  if (v.type !== undefined && v.type !== c.type) fail(`${kind} "${c.name}" is ${v.type}, expected ${c.type}`);
  const shape = v.shape ?? [];
  if (shape.length === 0 && c.dims.length > 0) return; // rank unknown to ORT: the trial run checks it
  if (shape.length !== c.dims.length) {
    fail(`${kind} "${c.name}" has ${shape.length} dimensions [${shape.join(', ')}], expected ${c.dims.length} [${describeDims(c.dims)}]`);
  }
  c.dims.forEach((d, i) => {
    const actual = shape[i];
    if (typeof actual !== 'number' || actual < 0) return; // symbolic
    if (d === 'batch') {
      if (actual !== 1) fail(`${kind} "${c.name}" has a fixed batch of ${actual}, expected a free batch dimension or 1`);
    } else if (d === 'dynamic') {
      if (kind === 'input') fail(`${kind} "${c.name}" has dimension ${i} fixed at ${actual}, expected a free (dynamic) dimension`);
    } else if (actual !== d.size) {
      fail(`${kind} "${c.name}" has dimension ${i} = ${actual}, but the manifest says ${d.size} (${d.from})`);
    }
  });
}

/** Checks the dimensions of a tensor a trial run produced; throws like checkGraph. */
export function checkRunShape(contract: GraphContract, name: string, dims: readonly number[], expected: readonly (number | null)[]): void {
  const wrong = dims.length !== expected.length || expected.some((e, i) => e !== null && dims[i] !== e);
  if (!wrong) return;
  const c = [...contract.outputs, ...(contract.optionalOutputs ?? [])].find((o) => o.name === name);
  const why = c === undefined ? '' : ` (${c.dims.map((d) => (typeof d === 'string' ? d : `${d.from}=${d.size}`)).join(', ')})`;
  throw new LegoError(
    'bundle-invalid',
    `${contract.file} (${contract.key}) output "${name}" came out as [${dims.join(', ')}] in a trial run, expected [${expected
      .map((e) => (e === null ? '?' : String(e)))
      .join(', ')}]${why}`,
    { details: { file: contract.file, key: contract.key } },
  );
}

function describeDims(dims: readonly Dim[]): string {
  return dims.map((d) => (typeof d === 'string' ? d : String(d.size))).join(', ');
}
