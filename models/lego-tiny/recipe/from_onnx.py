"""Rebuild a bundle's PyTorch checkpoint from its ONNX files (the shipped bundle has no .pt).

    /usr/bin/python3 from_onnx.py --bundle models/lego-tiny --out models/lego-tiny/work/stage-5.pt

How: a model of the manifest's config is exported with the same export code and distinct random
weights; each of its ONNX initializers is found among the PyTorch parameters (as is, or transposed: the
exporter writes Linear weights as MatMul operands). The bundle's initializers of the same names then go
into those parameters. What export folds cannot be split back exactly and is rebuilt to the same
function: BatchNorm folded into the stem's convolutions (the conv gets the folded weights, BatchNorm
becomes an identity: ``freeze_bn`` keeps it so in training), the image/video grid positions row + col
summed into one table (split into row and column means, whose sums are the same). The rebuilt model is
checked against onnxruntime's logits and encoder outputs (node + onnxruntime-node) before it is saved.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
GRAPHS = ["embed_tokens", "vision_encoder", "video_encoder", "decoder_model_merged", "audio_encoder"]


def initializers(path: str) -> dict:
    return {t.name: numpy_helper.to_array(t) for t in onnx.load(path).graph.initializer}


def _distinct_weights(model: nn.Module, seed: int = 0) -> None:
    """Every parameter and buffer a different random tensor, so that each initializer matches one."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, p in list(model.named_parameters()) + [(n, b) for n, b in model.named_buffers() if b.is_floating_point()]:
            p.copy_(torch.rand(p.shape, generator=g) + 0.5)  # positive: running_var stays valid


def _bn_identity(model: nn.Module) -> None:
    """BatchNorm in eval is an identity (so the exported convs carry plain weights)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.fill_(1.0)
                m.bias.zero_()
                m.running_mean.zero_()
                m.running_var.fill_(1.0 - m.eps)


def mapping(cfg, work: str) -> dict:
    """ONNX graph -> {initializer name: (parameter name, transposed)} for a model of this config."""
    from export import export_graphs
    from model import LegoTiny
    probe = LegoTiny(cfg)
    _distinct_weights(probe)
    _bn_identity(probe)
    export_graphs(probe, work)
    params = {n: p.detach().numpy() for n, p in probe.named_parameters()}
    out = {}
    for g in GRAPHS:
        path = os.path.join(work, "onnx", g + ".onnx")
        if not os.path.exists(path):
            continue
        found = {}
        for name, arr in initializers(path).items():
            if name.startswith("m."):
                found[name] = (name[2:], False)
                continue
            for pn, pv in params.items():
                if pv.shape == arr.shape and np.allclose(pv, arr, rtol=0, atol=1e-6):
                    found[name] = (pn, False)
                    break
                if pv.ndim == 2 and pv.T.shape == arr.shape and np.allclose(pv.T, arr, rtol=0, atol=1e-6):
                    found[name] = (pn, True)
                    break
                sq = arr.reshape(arr.shape[1:]) if arr.ndim > 1 and arr.shape[0] == 1 else None
                if sq is not None and sq.shape == pv.shape and np.allclose(pv, sq, rtol=0, atol=1e-6):
                    found[name] = (pn, "squeezed")  # a parameter[None] the exporter folded
                    break
                if pn.endswith("img_row") or pn.endswith("vid_row"):
                    prefix = pn[: -len("row")]
                    row, col = params[prefix + "row"], params[prefix + "col"]
                    pos = (row[:, None, :] + col[None, :, :]).reshape(1, -1, row.shape[-1])
                    if pos.shape == arr.shape and np.allclose(pos, arr, atol=1e-6):
                        found[name] = (prefix + "@grid", False)
                        break
            # anything else (folded shapes, constants) carries no weights
        out[g] = found
    return out


def rebuild(bundle: str):
    """The bundle's weights in a LegoTiny (eval mode) and its config."""
    from model import Config, LegoTiny
    with open(os.path.join(bundle, "manifest.json")) as f:
        man = json.load(f)
    cfg = Config(**man["training"]["config"])
    work = tempfile.mkdtemp(prefix="from-onnx-")
    try:
        maps = mapping(cfg, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    model = LegoTiny(cfg)
    _bn_identity(model)
    with torch.no_grad():  # the defaults a dropped initializer stands for
        for m in model.modules():
            if isinstance(m, nn.LayerNorm):
                m.weight.fill_(1.0)
                m.bias.zero_()
            elif isinstance(m, (nn.Linear, nn.Conv2d)) and m.bias is not None:
                m.bias.zero_()
    state = model.state_dict()
    loaded = set()
    for g, found in maps.items():
        path = os.path.join(bundle, "onnx", g + ".onnx")
        arrs = initializers(path)
        for name, (pn, transposed) in found.items():
            if name not in arrs:
                # the exporter drops an Add of zeros / a Mul by ones: a bias still 0 or a norm scale still 1
                # keeps the model's default (the check against onnxruntime below would catch anything else)
                if pn.endswith(".bias") or (pn.endswith(".weight") and ".ln" in "." + pn):
                    loaded.add(pn)
                    continue
                raise SystemExit(f"from_onnx: {g}.onnx has no initializer {name} (exported by another torch version?)")
            v = arrs[name].T if transposed is True else arrs[name]
            if transposed == "squeezed":
                v = v.reshape(v.shape[1:])
            if pn.endswith("@grid"):
                prefix = pn[: -len("@grid")]
                g_ = state[prefix + "row"].shape[0]
                p = torch.from_numpy(v.reshape(g_, g_, -1).astype(np.float32))
                row = p.mean(1)
                col = p.mean(0) - p.mean((0, 1))[None]
                state[prefix + "row"], state[prefix + "col"] = row, col
                loaded |= {prefix + "row", prefix + "col"}
                continue
            t = torch.from_numpy(np.ascontiguousarray(v).astype(np.float32))
            if pn in loaded and not torch.allclose(state[pn], t, atol=1e-6):
                raise SystemExit(f"from_onnx: {pn} differs between graphs")
            state[pn] = t
            loaded.add(pn)
    missing = [n for n, _ in model.named_parameters() if n not in loaded and not n.endswith(("bn.weight", "bn.bias"))
               and not _is_bn(model, n)]
    if missing:
        raise SystemExit(f"from_onnx: no ONNX initializer for {missing}")
    model.load_state_dict(state)
    model.eval()
    return model, cfg, man


def _is_bn(model, pname: str) -> bool:
    mod = model
    for part in pname.split(".")[:-1]:
        mod = getattr(mod, part) if not part.isdigit() else mod[int(part)]
    return isinstance(mod, nn.BatchNorm2d)


def check(model, bundle: str) -> dict:
    """Largest differences between the rebuilt PyTorch model and onnxruntime on random inputs."""
    cfg = model.cfg
    g = torch.Generator().manual_seed(5)
    case = {"t": 11, "ids": torch.randint(0, cfg.vocab_size, (11,), generator=g).tolist(),
            "image": torch.randn(3, cfg.image_size, cfg.image_size, generator=g).flatten().tolist(),
            "video": torch.randn(cfg.video_frames, 3, cfg.frame_size, cfg.frame_size, generator=g).flatten().tolist(),
            "query": torch.randint(0, cfg.vocab_size, (7,), generator=g).tolist()}
    if cfg.fusion_hears:  # sound tokens for an image encoder that hears
        case["sound"] = torch.randn(cfg.audio_tokens, cfg.d_model, generator=g).flatten().tolist()
    if cfg.audio_tokens:  # a soundtrack's features for the audio encoder (which reads the query with a sound fusion)
        case["audio_clips"] = 8
        case["audio"] = torch.randn(8, cfg.audio_mels, cfg.audio_frames, generator=g).flatten().tolist()
    d = tempfile.mkdtemp(prefix="from-onnx-check-")
    try:
        path = os.path.join(d, "case.json")
        with open(path, "w") as f:
            json.dump(case, f)
        r = subprocess.run(["node", os.path.join(HERE, "tests", "onnx_forward.js"), bundle, path],
                           capture_output=True, text=True, cwd=ROOT, timeout=300)
        if r.returncode != 0:
            raise SystemExit(f"from_onnx: onnxruntime check failed: {r.stderr[-2000:]}")
        got = json.loads(r.stdout)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    with torch.no_grad():
        ids = torch.tensor(case["ids"])[None]
        q = torch.tensor(case["query"])[None]
        qm = torch.ones_like(q)
        emb = model.tok(ids)
        logits, _ = model.decode(emb, torch.ones_like(ids), torch.arange(ids.shape[1])[None])
        snd = smask = None
        if cfg.fusion_hears:
            snd = torch.tensor(case["sound"]).view(1, cfg.audio_tokens, cfg.d_model)
            smask = torch.ones((1, cfg.audio_tokens), dtype=torch.long)
        img = model.encode_image(torch.tensor(case["image"]).view(1, 3, cfg.image_size, cfg.image_size), q, qm,
                                 sound=snd, sound_mask=smask)
        vid = model.encode_video(torch.tensor(case["video"]).view(1, cfg.video_frames, 3, cfg.frame_size, cfg.frame_size), q, qm)
        aud = (model.encode_audio(torch.tensor(case["audio"]).view(1, 8, cfg.audio_mels, cfg.audio_frames), q, qm)
               if cfg.audio_tokens else None)
    diff = {}
    refs = [("logits", logits), ("image", img), ("video", vid)] + ([("audio", aud)] if aud is not None else [])
    for key, ref in refs:
        # relative to the tensor's largest value (at least 1): the random test bundle's big weights give
        # sound tokens of ~100, where float32 noise alone reaches 1e-3
        diff[key] = float(np.abs(np.array(got[key]).reshape(ref.shape) - ref.numpy()).max()) / max(1.0, float(ref.abs().max()))
    diff["logit_argmax_equal"] = bool((np.array(got["logits"]).reshape(logits.shape).argmax(-1) == logits.numpy().argmax(-1)).all())
    return diff


def main(argv=None):
    ap = argparse.ArgumentParser(prog="from_onnx.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", default=os.path.join(HERE, ".."), help="bundle folder (default: models/lego-tiny)")
    ap.add_argument("--out", required=True, help="checkpoint to write (.pt, the shape train.py saves)")
    ap.add_argument("--minutes", type=float, help="training minutes behind the bundle (default: from its description)")
    ap.add_argument("--seen", type=int, help="samples behind the bundle (default: from its description)")
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    model, cfg, man = rebuild(os.path.abspath(args.bundle))
    diff = check(model, os.path.abspath(args.bundle))
    print(f"from_onnx: max |PyTorch - onnxruntime| / max(1, max |PyTorch|): logits {diff['logits']:.2e}, image features {diff['image']:.2e}, "
          f"video features {diff['video']:.2e}, sound tokens {diff.get('audio', 0.0):.2e}; "
          f"same argmax at every position: {diff['logit_argmax_equal']}", flush=True)
    if max(diff["logits"], diff["image"], diff["video"], diff.get("audio", 0.0)) > 1e-3 or not diff["logit_argmax_equal"]:
        raise SystemExit("from_onnx: the rebuilt model does not match the ONNX graphs")
    import re
    m = re.search(r"for (\d+) min \((\d+) samples\)", man.get("description", ""))
    minutes = args.minutes if args.minutes is not None else (float(m.group(1)) if m else 0.0)
    seen = args.seen if args.seen is not None else (int(m.group(2)) if m else 0)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)) or ".", exist_ok=True)
    torch.save({"model": model.state_dict(), "config": cfg.to_dict(), "step": 0, "seen": seen, "minutes": minutes,
                "prior_minutes": 0.0, "prior_seen": 0, "prior_step": 0, "from_onnx": True, "bn_folded": True}, args.out)
    print(f"from_onnx: wrote {args.out} ({model.n_params() / 1e6:.2f} M parameters, {minutes:g} min, {seen} samples)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
