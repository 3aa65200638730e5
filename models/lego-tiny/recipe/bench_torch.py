"""PyTorch-eager timings for a bundle's reference cases, the same work the TypeScript engine benchmark
does (encode, prefill, greedy decode with a key/value cache). Writes JSON for `bench:engine --pytorch`.

    python3 bench_torch.py --checkpoint work/final.pt --bundle .. --out /tmp/torch.json
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import numpy as np
import torch

from model import Config, LegoTiny
from tokenizer import MEDIA, SEP, Tokenizer


@torch.no_grad()
def run_case(model, tok, case, bundle, max_new):
    cfg = model.cfg
    m = case["media"]
    px = torch.from_numpy(np.fromfile(os.path.join(bundle, m["tensor"]), dtype="<f4").reshape(m["shape"]))
    ids = torch.tensor(case["prompt_ids"])[None]
    q = torch.tensor(case["query_ids"])[None]
    t0 = time.perf_counter()
    feats = (model.encode_image if m["kind"] == "image" else model.encode_video)(px[None], q, torch.ones_like(q))
    t1 = time.perf_counter()
    emb = model.tok(ids).masked_scatter((ids == tok.ids[MEDIA[m["kind"]][1]])[..., None], feats.reshape(-1))
    t = ids.shape[1]
    past = [(torch.zeros(1, cfg.n_heads, 0, cfg.d_model // cfg.n_heads),) * 2 for _ in range(cfg.n_layers)]
    logits, past = model.decode(emb, torch.ones((1, t), dtype=torch.long), torch.arange(t)[None], past)
    t2 = time.perf_counter()
    first_box = None
    n = 0
    pos = t
    text = ""
    for _ in range(max_new):
        nxt = int(logits[0, -1].argmax())
        n += 1
        if nxt == tok.ids[SEP]:
            break
        text += tok.vocab[nxt]
        if first_box is None and "]" in tok.vocab[nxt]:
            first_box = time.perf_counter() - t0
        logits, past = model.decode(model.tok(torch.tensor([[nxt]])), torch.ones((1, pos + 1), dtype=torch.long),
                                    torch.tensor([[pos]]), past)
        pos += 1
    t3 = time.perf_counter()
    return {"encode_ms": (t1 - t0) * 1e3, "prefill_ms": (t2 - t1) * 1e3, "first_token_ms": (t2 - t0) * 1e3,
            "decode_tokens_per_s": (n - 1) / (t3 - t2) if n > 1 else None,
            "first_box_ms": first_box * 1e3 if first_box is not None and m["kind"] == "image" else None}


def main(argv=None):
    ap = argparse.ArgumentParser(prog="bench_torch.py", description=__doc__)
    ap.add_argument("--checkpoint", help="a train.py checkpoint (default: rebuilt from the bundle's ONNX files, from_onnx.py)")
    ap.add_argument("--bundle", required=True, help="bundle folder with reference.json")
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.checkpoint:
        ck = torch.load(args.checkpoint, map_location="cpu")
        model = LegoTiny(Config(**ck["config"]))
        model.load_state_dict(ck["model"])
    else:
        import from_onnx
        model, _, _ = from_onnx.rebuild(os.path.abspath(args.bundle))
    model.eval()
    tok = Tokenizer.load(os.path.join(args.bundle, "tokenizer.json"))
    with open(os.path.join(args.bundle, "reference.json")) as f:
        cases = json.load(f)["cases"]
    samples = {}
    for case in cases:
        run_case(model, tok, case, args.bundle, case["max_new_tokens"])  # warm-up
        for _ in range(args.runs):
            for k, v in run_case(model, tok, case, args.bundle, case["max_new_tokens"]).items():
                if v is not None:
                    samples.setdefault(k, []).append(v)
    out = {k: statistics.median(v) for k, v in samples.items()}
    out["threads"] = args.threads
    with open(args.out, "w") as f:
        json.dump(out, f, indent=2)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
