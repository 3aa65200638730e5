"""Export a trained lego-tiny checkpoint (or a randomly initialised model of another shape, for tests)
to an ONNX bundle: graphs, tokenizer.json, manifest.json and reference.json (greedy PyTorch
generations that the TypeScript engine must reproduce token for token).

The bundle is written to a temporary folder beside the target and moved into place only when it is
complete and checked, so a failed export never replaces a good bundle.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile
from typing import List, Optional

import numpy as np
import onnx
import torch
import torch.nn as nn

import audio_features
import dialogue
import sound_world
from data import CLIP_MEAN, CLIP_STD, EVAL_SEED, normalize, query_ids
from model import Config, LegoTiny
from tokenizer import MEDIA, SEP, SYSTEM, Tokenizer, build_prompt, build_vocab
from train import trained_for
from world import (PAD_RGB, make_clip, make_scene, pad_resize, render_frame, render_scene, sample_times)

OPSET = 14


class EmbedTokens(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids):
        return self.m.tok(input_ids)


class VisionEncoder(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, pixel_values, query_ids, query_mask, sound_embeds=None, sound_mask=None):
        return self.m.encode_image(pixel_values, query_ids, query_mask, sound=sound_embeds, sound_mask=sound_mask)


class VideoEncoder(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, pixel_values_videos, query_ids, query_mask):
        return self.m.encode_video(pixel_values_videos, query_ids, query_mask)


class AudioEncoderGraph(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, audio_features, query_ids=None, query_mask=None):
        if self.m.cfg.sound_fusion:  # the decoder's tokens and the encoder's own (for an image's fusion that hears)
            return self.m.encode_audio(audio_features, query_ids, query_mask, heard=True)
        return self.m.encode_audio(audio_features)


class Decoder(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, inputs_embeds, attention_mask, position_ids, *past_flat):
        n = len(past_flat) // 2
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(n)]
        steps = []
        logits, present = self.m.decode(inputs_embeds, attention_mask, position_ids, past, steps)
        return (logits,) + tuple(t for kv in present for t in kv) + tuple(t for kv in steps for t in kv)


def fold_batch_reshapes(graph: onnx.GraphProto) -> int:
    """Reshape targets that torch.onnx builds at run time as [batch, constants...] become constants
    [0, constants...]: ONNX Reshape's 0 copies the input's own dimension. Exact for the decoder, whose
    reshapes all keep the batch as dimension 0 (their input is computed from the tensor whose batch
    was read). Each fold drops the Shape/Gather/Unsqueeze/Concat nodes that only served it — nodes the
    runtime would otherwise dispatch at every decoding step. Returns the number of reshapes folded."""
    from onnx import numpy_helper

    producer = {o: n for n in graph.node for o in n.output}
    consts = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for n in graph.node:
        if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value":
            consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)

    def const_ints(name):
        v = consts.get(name)
        return None if v is None else [int(x) for x in np.asarray(v).reshape(-1)]

    def batch_dim(name) -> bool:  # Unsqueeze(Gather(Shape(t), 0), [0])
        u = producer.get(name)
        if u is None or u.op_type != "Unsqueeze" or const_ints(u.input[1]) != [0]:
            return False
        g = producer.get(u.input[0])
        if g is None or g.op_type != "Gather" or const_ints(g.input[1]) != [0]:
            return False
        sh = producer.get(g.input[0])
        return sh is not None and sh.op_type == "Shape" and not sh.attribute

    folded = 0
    for n in graph.node:
        if n.op_type != "Reshape":
            continue
        c = producer.get(n.input[1])
        if c is None or c.op_type != "Concat" or not batch_dim(c.input[0]):
            continue
        rest = [const_ints(x) for x in c.input[1:]]
        if any(r is None or len(r) != 1 for r in rest) or not rest:
            continue
        name = f"{n.name or n.output[0]}_folded_shape"
        graph.initializer.append(numpy_helper.from_array(np.array([0] + [r[0] for r in rest], np.int64), name))
        n.input[1] = name
        folded += 1
    # drop what no longer feeds anything (repeat: chains die back to front)
    outputs = {o.name for o in graph.output}
    while True:
        used = {x for n in graph.node for x in n.input} | outputs
        dead = [n for n in graph.node if not any(o in used for o in n.output)]
        if not dead:
            break
        for n in dead:
            graph.node.remove(n)
    used = {x for n in graph.node for x in n.input}
    for t in [t for t in graph.initializer if t.name not in used and t.name not in {i.name for i in graph.input}]:
        graph.initializer.remove(t)
    return folded


def export_graphs(model: LegoTiny, out: str) -> None:
    cfg = model.cfg
    model.eval()
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    d, L, H, hd = cfg.d_model, cfg.n_layers, cfg.n_heads, cfg.d_model // cfg.n_heads
    q = torch.randint(0, cfg.vocab_size, (1, 7))
    qm = torch.ones((1, 7), dtype=torch.long)
    jobs = [
        ("embed_tokens", EmbedTokens(model), (torch.randint(0, cfg.vocab_size, (1, 5)),), ["input_ids"], ["inputs_embeds"],
         {"input_ids": {0: "batch", 1: "sequence"}, "inputs_embeds": {0: "batch", 1: "sequence"}}),
        ("vision_encoder", VisionEncoder(model), (torch.randn(1, 3, cfg.image_size, cfg.image_size), q, qm) + (
            (torch.randn(1, cfg.audio_tokens, d), torch.ones((1, cfg.audio_tokens), dtype=torch.long)) if cfg.fusion_hears else ()),
         ["pixel_values", "query_ids", "query_mask"] + (["sound_embeds", "sound_mask"] if cfg.fusion_hears else []),
         ["image_features"],
         {"pixel_values": {0: "batch"}, "query_ids": {0: "batch", 1: "query"}, "query_mask": {0: "batch", 1: "query"},
          "image_features": {0: "batch"}, "sound_embeds": {0: "batch"}, "sound_mask": {0: "batch"}}),
        ("video_encoder", VideoEncoder(model), (torch.randn(1, cfg.video_frames, 3, cfg.frame_size, cfg.frame_size), q, qm),
         ["pixel_values_videos", "query_ids", "query_mask"], ["video_features"],
         {"pixel_values_videos": {0: "batch"}, "query_ids": {0: "batch", 1: "query"},
          "query_mask": {0: "batch", 1: "query"}, "video_features": {0: "batch"}}),
    ]
    # present_step.N.*: this call's own keys/values ([batch, heads, sequence, head_dim]), an extra
    # output beside Optimum's present.N.* so that a runtime keeping its own cache buffer need not
    # fetch (copy out) the whole grown cache at every step (docs/bundle-format.md)
    past_names, present_names, step_names, past = [], [], [], []
    for i in range(L):
        for kind in ("key", "value"):
            past_names.append(f"past_key_values.{i}.{kind}")
            present_names.append(f"present.{i}.{kind}")
            step_names.append(f"present_step.{i}.{kind}")
            past.append(torch.randn(1, H, 3, hd))
    dyn = {"inputs_embeds": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "total_sequence"},
           "position_ids": {0: "batch", 1: "sequence"}, "logits": {0: "batch", 1: "sequence"}}
    for n in past_names:
        dyn[n] = {0: "batch", 2: "past_sequence"}
    for n in present_names:
        dyn[n] = {0: "batch", 2: "total_sequence"}
    for n in step_names:
        dyn[n] = {0: "batch", 2: "sequence"}
    jobs.append(("decoder_model_merged", Decoder(model),
                 (torch.randn(1, 5, d), torch.ones((1, 8), dtype=torch.long), torch.arange(3, 8)[None], *past),
                 ["inputs_embeds", "attention_mask", "position_ids"] + past_names, ["logits"] + present_names + step_names, dyn))
    if cfg.audio_tokens:
        # v2.1 (cfg.sound_fusion): the sound tokens read the question, so the graph takes it like the image's
        heard = cfg.sound_fusion
        jobs.append(("audio_encoder", AudioEncoderGraph(model),
                     (torch.randn(1, 3, cfg.audio_mels, cfg.audio_frames),) + ((q, qm) if heard else ()),
                     ["audio_features"] + (["query_ids", "query_mask"] if heard else []),
                     ["audio_embeds"] + (["sound_embeds"] if heard else []),
                     {"audio_features": {0: "batch", 1: "clips"}, "audio_embeds": {0: "batch"}, "sound_embeds": {0: "batch"},
                      "query_ids": {0: "batch", 1: "query"}, "query_mask": {0: "batch", 1: "query"}}))
    for name, mod, args, ins, outs, axes in jobs:
        mod.eval()
        path = os.path.join(out, "onnx", name + ".onnx")
        with torch.no_grad():
            torch.onnx.export(mod, args, path, input_names=ins, output_names=outs, dynamic_axes=axes,
                              opset_version=OPSET, do_constant_folding=True)
        mod.eval()  # torch.onnx.export restores the training flag; keep BatchNorm in eval
        if name == "decoder_model_merged":
            m = onnx.load(path)
            before = len(m.graph.node)
            folded = fold_batch_reshapes(m.graph)
            onnx.save(m, path)
            print(f"  decoder: {folded} batch reshapes folded, {before} -> {len(m.graph.node)} nodes", flush=True)
        onnx.checker.check_model(onnx.load(path))
        print(f"  {name}.onnx  {os.path.getsize(path) / 1e6:.2f} MB  (checked)", flush=True)
    model.eval()


def manifest(cfg: Config, tok: Tokenizer, name: str, description: str) -> dict:
    mean, std = [float(x) for x in CLIP_MEAN], [float(x) for x in CLIP_STD]
    return {
        "format": "lego-bundle",
        "version": 1,
        "name": name,
        "description": description,
        "files": {"tokenizer": "tokenizer.json", "embed_tokens": "onnx/embed_tokens.onnx",
                  "decoder": "onnx/decoder_model_merged.onnx", "vision_encoder": "onnx/vision_encoder.onnx",
                  "video_encoder": "onnx/video_encoder.onnx",
                  "audio_encoder": "onnx/audio_encoder.onnx" if cfg.audio_tokens else None},
        "decoder": {"hidden_size": cfg.d_model, "num_layers": cfg.n_layers, "num_heads": cfg.n_heads,
                    "head_dim": cfg.d_model // cfg.n_heads, "vocab_size": cfg.vocab_size,
                    "max_positions": cfg.max_positions},
        "prompt": {"system": SYSTEM, "sep": SEP, "user_role": "Human", "assistant_role": "Assistant", "stop": [SEP]},
        "special_tokens": {"pad": "<pad>", "unk": "<unk>", "sep": SEP},
        "media": {
            "image": {"start": MEDIA["image"][0], "patch": MEDIA["image"][1], "end": MEDIA["image"][2],
                      "tokens": cfg.image_grid ** 2, "size": cfg.image_size, "pad_rgb": list(PAD_RGB),
                      "mean": mean, "std": std},
            "video": {"start": MEDIA["video"][0], "patch": MEDIA["video"][1], "end": MEDIA["video"][2],
                      "tokens": cfg.video_frames, "frames": cfg.video_frames, "size": cfg.frame_size,
                      "pad_rgb": list(PAD_RGB), "mean": mean, "std": std, "sampling": "uniform-centre"},
            "audio": audio_features.audio_manifest(cfg.audio_tokens) if cfg.audio_tokens else None,
        },
        "fusion": {"query": "user-turns-latest-first", "separator": SEP, "max_tokens": cfg.query_max},
        "grounding": {"syntax": "lego", "box_decimals": 3, "span_decimals": 2, "box_frame": "padded-square"},
        "generation": {"temperature": 0.2, "top_p": 0.9, "max_new_tokens": 256},
        "training": {"config": cfg.to_dict()},
    }


# ----------------------------------------------------------------------------------------------
# greedy generation in PyTorch, the way the engine does it (prefill, then one token at a time)

def image_tensor(img) -> torch.Tensor:
    return torch.from_numpy(normalize(np.asarray(img, dtype=np.uint8)))


@torch.no_grad()
def generate(model: LegoTiny, tok: Tokenizer, turns: List[dict], media_kind: Optional[str], pixels: Optional[torch.Tensor],
             max_new: int = 128, audio: Optional[torch.Tensor] = None) -> dict:
    """Greedy answer. ``audio``: the sound's (or soundtrack's) encoder input [C, mels, frames], or None."""
    cfg = model.cfg
    n_media = cfg.image_grid ** 2 if media_kind == "image" else cfg.video_frames
    n_audio = cfg.audio_tokens if audio is not None else 0
    prompt = build_prompt(turns, media_kind or "", n_media, audio_tokens=n_audio)
    ids = tok.encode(prompt)
    qids = query_ids(tok, [t["human"] for t in turns], cfg.query_max)
    x = torch.tensor(ids)[None]
    emb = model.tok(x)
    qi = torch.tensor(qids)[None]
    qm = torch.ones_like(qi)
    sound = heard = None
    if audio is not None:
        sound, heard = model.encode_audio(audio[None], qi, qm, heard=True)
    if media_kind:
        if media_kind == "image":
            snd = smask = None
            if cfg.fusion_hears:  # the fusion hears the turn's sound (zeros, masked, when there is none)
                snd = heard if heard is not None else torch.zeros((1, cfg.audio_tokens, cfg.d_model))
                smask = torch.full((1, cfg.audio_tokens), 1 if sound is not None else 0, dtype=torch.long)
            feats = model.encode_image(pixels[None], qi, qm, sound=snd, sound_mask=smask)
        else:
            feats = model.encode_video(pixels[None], qi, qm)
        patch = tok.ids[MEDIA[media_kind][1]]
        emb = emb.masked_scatter((x == patch)[..., None], feats.reshape(-1))
    if sound is not None:
        emb = emb.masked_scatter((x == tok.ids[MEDIA["audio"][1]])[..., None], sound.reshape(-1))
    t = x.shape[1]
    past = [(torch.zeros(1, cfg.n_heads, 0, cfg.d_model // cfg.n_heads),) * 2 for _ in range(cfg.n_layers)]
    logits, past = model.decode(emb, torch.ones((1, t), dtype=torch.long), torch.arange(t)[None], past)
    out: List[int] = []
    stop = tok.ids[SEP]
    pos = t
    for _ in range(max_new):
        nxt = int(logits[0, -1].argmax())
        out.append(nxt)
        if nxt == stop:
            break
        e = model.tok(torch.tensor([[nxt]]))
        logits, past = model.decode(e, torch.ones((1, pos + 1), dtype=torch.long), torch.tensor([[pos]]), past)
        pos += 1
    text = tok.decode([i for i in out if i != stop]).strip()
    return {"prompt": prompt, "prompt_ids": ids, "query_ids": qids, "output_ids": out, "output_text": text}


def reference_cases(model: LegoTiny, tok: Tokenizer, out: str, max_new: int) -> List[dict]:
    cfg = model.cfg
    os.makedirs(os.path.join(out, "reference"), exist_ok=True)
    rng = random.Random(7)
    cases = []
    plan = [("image", "refer", 1), ("image", "describe", 1), ("image", "count", 1), ("image", "refer", 3),
            ("video", "when", 1), ("video", "vdescribe", 1)]
    for n, (kind, task, turns) in enumerate(plan):
        seed = EVAL_SEED + 500_000 + n
        if kind == "image":
            sc = make_scene(seed)
            conv = dialogue.image_conversation(rng, sc, first=task, turns=turns)
            full = render_scene(sc)
            src = f"reference/case-{n}.png"
            full.save(os.path.join(out, src))
            arr = np.asarray(pad_resize(full, cfg.image_size), dtype=np.uint8)
            pixels = torch.from_numpy(normalize(arr))
            media = {"kind": "image", "source": src, "width": sc["w"], "height": sc["h"]}
        else:
            cl = make_clip(seed)
            conv = dialogue.video_conversation(rng, cl, first=task, turns=turns)
            frames = [np.asarray(pad_resize(render_frame(cl, t), cfg.frame_size), dtype=np.uint8)
                      for t in sample_times(cfg.video_frames)]
            pixels = torch.from_numpy(normalize(np.stack(frames)))
            media = {"kind": "video", "source": None, "width": cl["w"], "height": cl["h"], "duration": cl["duration"]}
        tensor_path = f"reference/case-{n}.f32"
        arr = pixels.numpy().astype("<f4")
        arr.tofile(os.path.join(out, tensor_path))
        media.update({"tensor": tensor_path, "shape": list(arr.shape), "sha256": hashlib.sha256(arr.tobytes()).hexdigest()})
        # history answers are the truth (teacher forcing), the last answer is generated
        turns_in = [{"human": t["human"], "assistant": t["assistant"]} for t in conv[:-1]] + [{"human": conv[-1]["human"]}]
        g = generate(model, tok, turns_in, kind, pixels, max_new)
        ts_turns = []
        for t in turns_in:
            ts_turns.append({"role": "user", "text": t["human"]})
            if "assistant" in t:
                ts_turns.append({"role": "assistant", "text": t["assistant"]})
        cases.append({"name": f"{kind}-{task}-{turns}turn", "media": media, "turns": ts_turns, "max_new_tokens": max_new,
                      "truth": conv[-1]["assistant"], **g})
        print(f"  reference {n}: {cases[-1]['name']}: {g['output_text'][:90]!r}", flush=True)
    return cases


def audio_reference_cases(model: LegoTiny, tok: Tokenizer, out: str, max_new: int) -> List[dict]:
    """Sound cases (bundles with an audio encoder): a sound alone, an image with a sound, a clip with its
    soundtrack. Each sound is written as a 16-bit WAV and its encoder input (computed from the samples a
    decoder reads back from that WAV) as float32, beside the image/video tensor as in reference_cases."""
    import sound_dialogue
    cfg = model.cfg
    rng = random.Random(17)
    cases = []
    for n, task in enumerate(["sound_source", "sound_locate", "sound_span"]):
        seed = EVAL_SEED + 600_000 + n
        media = None
        pixels = None
        kind = None
        if task == "sound_source":
            snd = sound_world.make_sound(seed)
            conv = [sound_dialogue.source_turn(rng, snd)]
        elif task == "sound_locate":
            sc = make_scene(seed)
            shape = rng.choice(sc["shapes"])
            snd = sound_world.make_sound(seed, shape["colour"], shape["kind"])
            conv = [sound_dialogue.locate_turn(rng, sc, shape, snd)]
            full = render_scene(sc)
            src = f"reference/audio-case-{n}.png"
            full.save(os.path.join(out, src))
            pixels = torch.from_numpy(normalize(np.asarray(pad_resize(full, cfg.image_size), dtype=np.uint8)))
            media = {"kind": "image", "source": src, "width": sc["w"], "height": sc["h"]}
            kind = "image"
        else:
            k = 0
            while True:  # a short clip, so that its soundtrack's WAV stays small
                cl = make_clip(seed + 1000 * k)
                k += 1
                if cl["duration"] <= 8.0:
                    break
            snd = sound_dialogue.soundtrack_for(cl, seed, rng)
            conv = [sound_dialogue.span_turn(rng, snd)]
            frames = [np.asarray(pad_resize(render_frame(cl, t), cfg.frame_size), dtype=np.uint8)
                      for t in sample_times(cfg.video_frames)]
            pixels = torch.from_numpy(normalize(np.stack(frames)))
            media = {"kind": "video", "source": None, "width": cl["w"], "height": cl["h"], "duration": cl["duration"]}
            kind = "video"
        if media is not None:
            tensor_path = f"reference/audio-case-{n}.f32"
            arr = pixels.numpy().astype("<f4")
            arr.tofile(os.path.join(out, tensor_path))
            media.update({"tensor": tensor_path, "shape": list(arr.shape), "sha256": hashlib.sha256(arr.tobytes()).hexdigest()})
        wav = f"reference/audio-case-{n}.wav"
        decoded = audio_features.write_wav(os.path.join(out, wav), sound_world.samples(snd))
        clips = conv[-1]["clips"]
        feats = audio_features.features(decoded, clips).astype("<f4")
        ftensor = f"reference/audio-case-{n}-audio.f32"
        feats.tofile(os.path.join(out, ftensor))
        audio = {"source": wav, "tensor": ftensor, "shape": list(feats.shape), "clips": clips,
                 "duration": round(decoded.shape[0] / audio_features.SAMPLE_RATE, 6),
                 "sha256": hashlib.sha256(feats.tobytes()).hexdigest()}
        turns_in = [{"human": conv[-1]["human"]}]
        g = generate(model, tok, turns_in, kind, pixels, max_new, audio=torch.from_numpy(feats.copy()))
        cases.append({"name": f"audio-{task}-1turn", "media": media, "audio": audio,
                      "turns": [{"role": "user", "text": conv[-1]["human"]}], "max_new_tokens": max_new,
                      "truth": conv[-1]["assistant"], **g})
        print(f"  audio reference {n}: {cases[-1]['name']}: {g['output_text'][:90]!r}", flush=True)
    return cases


def write_bundle(model: LegoTiny, tok: Tokenizer, target: str, name: str, description: str, max_new: int,
                 extra_files: Optional[dict] = None) -> None:
    parent = os.path.dirname(os.path.abspath(target)) or "."
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".export-", dir=parent)
    try:
        export_graphs(model, tmp)
        tok.save(os.path.join(tmp, "tokenizer.json"))
        with open(os.path.join(tmp, "manifest.json"), "w") as f:
            json.dump(manifest(model.cfg, tok, name, description), f, indent=2)
        cases = reference_cases(model, tok, tmp, max_new)
        ref = {"note": "greedy generations from PyTorch; the TypeScript engine must reproduce output_ids",
               "cases": cases}
        if model.cfg.audio_tokens:
            # kept apart from "cases" (image/video only) so that readers of the older shape still work
            ref["audio_cases"] = audio_reference_cases(model, tok, tmp, max_new)
        with open(os.path.join(tmp, "reference.json"), "w") as f:
            json.dump(ref, f)
        for rel, src in (extra_files or {}).items():
            shutil.copy(src, os.path.join(tmp, rel))
        old = target + ".old"
        if os.path.exists(target):
            if os.path.exists(old):
                shutil.rmtree(old)
            os.replace(target, old)
        os.chmod(tmp, 0o755)
        os.replace(tmp, target)
        if os.path.exists(old):
            shutil.rmtree(old)
        print(f"bundle written: {target}", flush=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def sound_texts(rng: random.Random, n: int) -> List[str]:
    """Questions and answers of the sound tasks (for a vocabulary), without rendering any audio."""
    import sound_dialogue
    from world import COLOUR_NAMES, KINDS
    out = []
    for i in range(n):
        c, k = rng.choice(COLOUR_NAMES), rng.choice(KINDS)
        snd = {"duration": 1.0, "events": [{"colour": c, "kind": k, "start": 0.0, "end": 1.0}]}
        t = sound_dialogue.source_turn(rng, snd)
        out.append(t["human"] + " " + t["assistant"])
        sc = make_scene(i)
        t = sound_dialogue.locate_turn(rng, sc, sc["shapes"][0], snd)
        out.append(t["human"] + " " + t["assistant"])
        track = {"duration": 5.0, "events": [{"colour": c, "kind": k, "start": 0.2, "end": 0.6}]}
        t = sound_dialogue.span_turn(rng, track)
        out.append(t["human"] + " " + t["assistant"])
    return out


def random_test_model(seed: int = 3) -> tuple:
    """A small randomly initialised model of a different shape than lego-tiny, for engine tests."""
    torch.manual_seed(seed)
    texts = [SYSTEM + "###Human: ###Assistant:"]
    rng = random.Random(seed)
    for i in range(300):
        for t in dialogue.image_conversation(rng, make_scene(i), turns=2):
            texts.append(t["human"] + " " + t["assistant"])
        for t in dialogue.video_conversation(rng, make_clip(i), turns=1):
            texts.append(t["human"] + " " + t["assistant"])
    texts += sound_texts(rng, 300)
    tok = Tokenizer(build_vocab(texts))
    # 4 sound tokens (lego-tiny has 8): the engine must read the number from the manifest
    cfg = Config(vocab_size=len(tok.vocab), d_model=48, n_layers=2, n_heads=3, d_ff=96, max_positions=400,
                 image_size=48, image_grid=4, video_frames=6, frame_size=24, stem_channels=32, query_max=24,
                 audio_tokens=4, audio_channels=16, fusion_hears=True, sound_fusion=True)
    model = LegoTiny(cfg)
    with torch.no_grad():  # larger weights than the training init, so greedy choices are not near-ties
        for m in model.modules():
            if isinstance(m, nn.Linear):
                m.weight.normal_(0, 0.4)
            elif isinstance(m, nn.Embedding):
                m.weight.normal_(0, 0.6)
    return model.eval(), tok


def export_deaf_vision_encoder(model: LegoTiny, path: str) -> None:
    """The same image encoder without the sound inputs (for engine tests of a bundle with no audio
    encoder, which must not have a hearing image encoder): with no sound both give the same features."""
    cfg = model.cfg
    os.makedirs(os.path.dirname(path), exist_ok=True)
    hears = model.fusion.hears
    model.fusion.hears = False
    try:
        q = torch.randint(0, cfg.vocab_size, (1, 7))
        with torch.no_grad():
            torch.onnx.export(VisionEncoder(model), (torch.randn(1, 3, cfg.image_size, cfg.image_size), q, torch.ones_like(q)),
                              path, input_names=["pixel_values", "query_ids", "query_mask"], output_names=["image_features"],
                              dynamic_axes={"pixel_values": {0: "batch"}, "query_ids": {0: "batch", 1: "query"},
                                            "query_mask": {0: "batch", 1: "query"}, "image_features": {0: "batch"}},
                              opset_version=OPSET, do_constant_folding=True)
    finally:
        model.fusion.hears = hears
    print(f"  {os.path.relpath(path, os.path.dirname(os.path.dirname(path)))}  (the image encoder without ears)", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="export.py", description=__doc__)
    ap.add_argument("--checkpoint", help="a .pt file from train.py")
    ap.add_argument("--tokenizer", help="tokenizer.json used in training")
    ap.add_argument("--out", required=True, help="bundle folder to write (replaced atomically)")
    ap.add_argument("--random-test-bundle", action="store_true", help="export a small random model of another shape")
    ap.add_argument("--max-new-tokens", type=int, default=160)
    ap.add_argument("--extra", action="append", default=[], help="REL=PATH file to copy into the bundle")
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    extra = dict(e.split("=", 1) for e in args.extra)
    if args.random_test_bundle:
        model, tok = random_test_model()
        write_bundle(model, tok, args.out, "lego-test-random", "randomly initialised; for engine tests only", 20, extra)
        export_deaf_vision_encoder(model, os.path.join(args.out, "variants", "vision_encoder_deaf.onnx"))
        return
    if not args.checkpoint or not args.tokenizer:
        ap.error("--checkpoint and --tokenizer are required (or --random-test-bundle)")
    ck = torch.load(args.checkpoint, map_location="cpu")
    cfg = Config(**ck["config"])
    model = LegoTiny(cfg)
    model.load_state_dict(ck["model"])
    model.eval()
    tok = Tokenizer(ck["vocab"]) if "vocab" in ck else Tokenizer.load(args.tokenizer)
    trained = trained_for(ck)
    desc = (f"lego-tiny: a {model.n_params() / 1e6:.2f} M-parameter LEGO-shaped grounding model trained on a synthetic "
            f"world of shapes for {trained['minutes']:.0f} min ({trained['seen']} samples).")
    write_bundle(model, tok, args.out, "lego-tiny", desc, args.max_new_tokens, extra)


if __name__ == "__main__":
    main()
