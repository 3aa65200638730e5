"""A training checkpoint as a small weights-only file to commit (fp16 by default): the model's state,
config, vocabulary and the training behind it, no optimiser. train.py --init and export.py read it.

    /usr/bin/python3 save_weights.py --checkpoint ../work/final.pt --out ../../lego-tiny-v2/lego-tiny-v2.pt
"""
from __future__ import annotations

import argparse
import os

import torch


def main(argv=None):
    ap = argparse.ArgumentParser(prog="save_weights.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--tokenizer", help="tokenizer.json of a checkpoint saved without its vocabulary")
    ap.add_argument("--fp32", action="store_true", help="keep fp32 (default: fp16, half the size)")
    args = ap.parse_args(argv)
    ck = torch.load(args.checkpoint, map_location="cpu")
    if "vocab" not in ck:
        if not args.tokenizer:
            raise SystemExit("save_weights.py: this checkpoint carries no vocabulary: pass --tokenizer")
        from tokenizer import Tokenizer
        ck["vocab"] = Tokenizer.load(args.tokenizer).vocab
    dtype = torch.float32 if args.fp32 else torch.float16
    out = {k: v for k, v in ck.items() if k != "model"}
    out["model"] = {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in ck["model"].items()}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save(out, args.out + ".tmp")
    os.replace(args.out + ".tmp", args.out)
    print(f"save_weights: {args.out} ({os.path.getsize(args.out) / 1e6:.1f} MB, {dtype})")


if __name__ == "__main__":
    main()
