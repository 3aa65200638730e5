import { promises as fs } from 'node:fs';
import path from 'node:path';
import type * as ort from 'onnxruntime-node';
import { LegoError } from '../../errors';
import type { Logger } from '../../logger-type';
import { parseBundleManifest } from './bundle-manifest';
import type { BundleManifest } from './bundle-manifest';
import {
  audioEncoderContract,
  checkGraph,
  checkRunShape,
  decoderContract,
  embedTokensContract,
  videoEncoderContract,
  visionEncoderContract,
} from './graph-contract';
import type { CheckedGraph, GraphContract } from './graph-contract';
import { LegoGraphs } from './lego-graphs';
import type { EncoderGraph, LegoSessions } from './lego-graphs';
import { LegoTokenizer } from './lego-tokenizer';
import { SessionFactory } from './session-factory';
import type { ExecutionProviderName } from './session-factory';

export interface LoadBundleOptions {
  executionProvider: ExecutionProviderName;
  intraOpNumThreads: number | undefined;
  spinning: boolean;
  /** run every graph once on dummy inputs to check the shapes ORT cannot tell statically */
  trialRun: boolean;
  logger: Logger;
}

/** A loaded, checked bundle: manifest, tokenizer and sessions. */
export interface LegoBundle {
  folder: string;
  manifest: BundleManifest;
  tokenizer: LegoTokenizer;
  graphs: LegoGraphs;
  /** the execution provider the sessions run on (after any fallback) */
  executionProvider: ExecutionProviderName;
  /** token ids that end generation (single-token stop strings, eos) */
  stopTokenIds: ReadonlySet<number>;
}

function invalid(file: string, problem: string, cause?: unknown): LegoError {
  return new LegoError('bundle-invalid', `${file} ${problem}`, { details: { file }, ...(cause === undefined ? {} : { cause }) });
}

async function readJson(folder: string, file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(path.join(folder, file), 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw invalid(file, code === 'ENOENT' ? `is missing from the bundle ${folder}` : `could not be read (${code ?? 'error'})`, cause);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw invalid(file, `is not valid JSON: ${(cause as Error).message}`, cause);
  }
}

async function checkFilesExist(folder: string, m: BundleManifest): Promise<void> {
  for (const [key, file] of Object.entries(m.files)) {
    if (file === null) continue;
    try {
      const st = await fs.stat(path.join(folder, file));
      if (!st.isFile()) throw invalid(file, `(files.${key}) is not a file`);
    } catch (cause) {
      if (LegoError.is(cause)) throw cause;
      throw invalid(file, `(files.${key}) is missing from the bundle ${folder}`, cause);
    }
  }
}

function checkTokenizer(m: BundleManifest, tok: LegoTokenizer): Set<number> {
  const file = m.files.tokenizer;
  const single = (token: string, where: string, mustBeSpecial: boolean): number => {
    const id = tok.tokenId(token);
    const ids = tok.encode(token);
    if (id === undefined || ids.length !== 1 || ids[0] !== id) {
      throw invalid(file, `has no single token for ${JSON.stringify(token)} (${where})`);
    }
    if (mustBeSpecial && !tok.specialTokens.includes(token)) {
      throw invalid(file, `does not mark ${JSON.stringify(token)} (${where}) as a special token, so user text could forge it`);
    }
    if (id >= m.decoder.vocab_size) {
      throw invalid(file, `gives ${JSON.stringify(token)} the id ${id}, outside the decoder's vocabulary (decoder.vocab_size = ${m.decoder.vocab_size})`);
    }
    return id;
  };
  if (tok.maxId >= m.decoder.vocab_size) {
    throw invalid(file, `has token ids up to ${tok.maxId}, but decoder.vocab_size is ${m.decoder.vocab_size}`);
  }
  single(m.special_tokens.pad, 'special_tokens.pad', false);
  for (const kind of ['image', 'video', 'audio'] as const) {
    const media = m.media[kind];
    if (media === null) continue;
    single(media.start, `media.${kind}.start`, true);
    single(media.patch, `media.${kind}.patch`, true);
    single(media.end, `media.${kind}.end`, true);
  }
  if (m.fusion !== null) single(m.fusion.separator, 'fusion.separator', false);
  const stops = new Set<number>();
  for (const s of m.prompt.stop) {
    const id = tok.tokenId(s);
    if (id !== undefined && tok.encode(s).length === 1) stops.add(id);
  }
  const eos = m.special_tokens.eos;
  if (eos !== undefined) stops.add(single(eos, 'special_tokens.eos', false));
  return stops;
}

interface Opened {
  contract: GraphContract;
  session: ort.InferenceSession;
  checked: CheckedGraph;
}

async function open(factory: SessionFactory, folder: string, contract: GraphContract, opened: Opened[]): Promise<Opened> {
  const session = await factory.create(contract.file, path.join(folder, contract.file));
  const entry: Opened = { contract, session, checked: { optionalInputs: new Set(), optionalOutputs: new Set() } };
  opened.push(entry);
  entry.checked = checkGraph(contract, session.inputMetadata, session.outputMetadata);
  return entry;
}

/** Runs every graph once with dummy inputs and checks the dimensions that came out. */
async function trialRun(m: BundleManifest, graphs: LegoGraphs, contracts: Record<string, GraphContract>): Promise<void> {
  const d = m.decoder;
  const guard = async <T>(contract: GraphContract, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (cause) {
      if (LegoError.is(cause, 'bundle-invalid')) throw cause;
      throw invalid(contract.file, `(${contract.key}) failed a trial run: ${(cause as Error).message}`, cause);
    }
  };
  const embedC = contracts.embed!;
  const e = await guard(embedC, () => graphs.embed([0]));
  if (e.length !== d.hidden_size) checkRunShape(embedC, 'inputs_embeds', [1, 1, e.length / d.hidden_size], [1, 1, d.hidden_size]);
  for (const kind of ['image', 'video'] as const) {
    const c = contracts[kind];
    if (c === undefined) continue;
    const media = kind === 'image' ? m.media.image! : m.media.video!;
    const frames = kind === 'video' ? m.media.video!.frames : 1;
    const pixels = new Float32Array(frames * 3 * media.size * media.size);
    const out = await guard(c, () => graphs.encode(kind, pixels, [0]));
    checkRunShape(c, kind === 'image' ? 'image_features' : 'video_features', out.dims.map(Number), [1, media.tokens, d.hidden_size]);
    if (kind === 'image' && graphs.imageHears && m.media.audio !== null) {
      // and with a sound heard, as an image asked about with a sound is encoded
      const sound = new Float32Array(m.media.audio.tokens * d.hidden_size);
      const heard = await guard(c, () => graphs.encode(kind, pixels, [0], sound));
      checkRunShape(c, 'image_features', heard.dims.map(Number), [1, media.tokens, d.hidden_size]);
    }
  }
  const audioC = contracts.audio;
  const audio = m.media.audio;
  if (audioC !== undefined && audio !== null) {
    // both clip counts the engine will feed: a sound's and a video's soundtrack's
    for (const clips of new Set([audio.clips, audio.soundtrack_clips])) {
      const features = new Float32Array(clips * audio.features.n_mels * audio.features.frames);
      const out = await guard(audioC, () => graphs.encodeAudio(features, clips, [0]));
      checkRunShape(audioC, 'audio_embeds', out.dims.map(Number), [1, audio.tokens, d.hidden_size]);
      if (out.heard.length !== audio.tokens * d.hidden_size) {
        checkRunShape(audioC, 'sound_embeds', [1, out.heard.length / d.hidden_size, d.hidden_size], [1, audio.tokens, d.hidden_size]);
      }
    }
  }
  const decC = contracts.decoder!;
  const step = await guard(decC, () => graphs.decode(new Float32Array(d.hidden_size), 1, graphs.emptyCache()));
  checkRunShape(decC, 'logits', step.dims.logits.map(Number), [1, 1, d.vocab_size]);
  for (const kv of step.dims.kv) checkRunShape(decC, kv.name, kv.dims.map(Number), [1, d.num_heads, 1, d.head_dim]);
}

/**
 * Loads a bundle folder: manifest.json (validated), every file it names (present), tokenizer.json
 * (special tokens present), and each ONNX graph (inputs, outputs, types and shapes checked against
 * the manifest, then a trial run). Anything wrong fails here, with LegoError('bundle-invalid') naming
 * the file and the mismatch — never mid-conversation.
 */
export async function loadLegoBundle(folder: string, options: LoadBundleOptions): Promise<LegoBundle> {
  const abs = path.resolve(folder);
  const manifest = parseBundleManifest(await readJson(abs, 'manifest.json'));
  await checkFilesExist(abs, manifest);
  const tokenizer = LegoTokenizer.fromJson(await readJson(abs, manifest.files.tokenizer), manifest.files.tokenizer);
  const stopTokenIds = checkTokenizer(manifest, tokenizer);
  const padId = tokenizer.tokenId(manifest.special_tokens.pad)!;

  const factory = new SessionFactory({
    executionProvider: options.executionProvider,
    intraOpNumThreads: options.intraOpNumThreads,
    spinning: options.spinning,
    logger: options.logger,
  });
  const opened: Opened[] = [];
  try {
    const contracts: Record<string, GraphContract> = {
      embed: embedTokensContract(manifest),
      decoder: decoderContract(manifest),
    };
    const vc = visionEncoderContract(manifest);
    const vidc = videoEncoderContract(manifest);
    const ac = audioEncoderContract(manifest);
    if (vc !== null) contracts.image = vc;
    if (vidc !== null) contracts.video = vidc;
    if (ac !== null) contracts.audio = ac;
    const embed = await open(factory, abs, contracts.embed!, opened);
    const decoder = await open(factory, abs, contracts.decoder!, opened);
    const encoder = async (c: GraphContract | null): Promise<EncoderGraph | null> => {
      if (c === null) return null;
      const o = await open(factory, abs, c, opened);
      const fusion = o.checked.optionalInputs.has('query_ids');
      if (fusion && manifest.fusion === null) {
        throw invalid(c.file, `(${c.key}) takes a fusion query (query_ids), but the manifest has no "fusion" section`);
      }
      return { session: o.session, checked: o.checked };
    };
    const sessions: LegoSessions = {
      embedTokens: embed.session,
      decoder: { session: decoder.session, checked: decoder.checked },
      vision: await encoder(vc),
      video: await encoder(vidc),
      audio: await encoder(ac),
    };
    if (manifest.fusion !== null && !opened.some((o) => o.checked.optionalInputs.has('query_ids'))) {
      options.logger.warn({ folder: abs }, 'the manifest describes fusion but no encoder takes a query; fusion is off');
    }
    const graphs = new LegoGraphs(manifest, sessions, padId);
    if (options.trialRun) await trialRun(manifest, graphs, contracts);
    return { folder: abs, manifest, tokenizer, graphs, executionProvider: factory.provider, stopTokenIds };
  } catch (error) {
    await Promise.all(opened.map((o) => o.session.release().catch(() => undefined)));
    throw error;
  }
}
