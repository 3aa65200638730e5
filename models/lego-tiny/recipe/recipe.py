"""lego-tiny's recipe: `all` (default) regenerates the held-out split, trains, exports and evaluates.

    npm run model:train                       # everything, ~90 min of training on 2 CPU cores
    npm run model:train -- train --minutes 5  # one step at a time: data | train | export | eval
"""
from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_DIR = os.path.dirname(HERE)  # models/lego-tiny
WORK = os.path.join(MODEL_DIR, "work")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="model:train", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", nargs="?", default="all", choices=["all", "data", "train", "export", "eval", "test-bundle"])
    ap.add_argument("--work", default=WORK, help="working folder (pool, checkpoints, split, logs)")
    ap.add_argument("--minutes", type=float, default=90.0, help="training time budget")
    ap.add_argument("--threads", type=int, default=1, help="torch threads per training process")
    ap.add_argument("--procs", type=int, default=2, help="data-parallel training processes (one per core)")
    ap.add_argument("--eval-limit", type=int, default=0, help="questions per task in eval (0 = all)")
    ap.add_argument("--eval-inputs", help="eval on the pixels `npm run lego -- eval --save-inputs DIR` wrote")
    ap.add_argument("--eval-out", help="eval's output folder (default: WORK/eval)")
    ap.add_argument("--bundle", default=MODEL_DIR, help="where the exported bundle goes")
    args = ap.parse_args(argv)
    # paths given on the command line are relative to where the command was run (run.sh moves here)
    caller = os.environ.get("LEGO_RECIPE_CALLER_CWD", os.getcwd())
    for key in ("work", "bundle", "eval_inputs", "eval_out"):
        value = getattr(args, key, None)
        if value:
            setattr(args, key, os.path.abspath(os.path.join(caller, value)))
    split = os.path.join(args.work, "evalset")
    ckpt = os.path.join(args.work, "final.pt")
    tok = os.path.join(args.work, "tokenizer.json")
    steps = ["data", "train", "export", "eval"] if args.step == "all" else [args.step]
    for step in steps:
        print(f"== {step}", flush=True)
        if step == "data":
            import evalset
            evalset.main(["--out", split])
        elif step == "train":
            import train
            train.main(["--work", args.work, "--minutes", str(args.minutes), "--threads", str(args.threads),
                        "--procs", str(args.procs)])
        elif step == "export":
            import export
            export.main(["--checkpoint", ckpt, "--tokenizer", tok, "--out", os.path.join(args.work, "bundle")])
            install_bundle(os.path.join(args.work, "bundle"), args.bundle)
        elif step == "eval":
            import evaluate
            evaluate.main(["--checkpoint", ckpt, "--tokenizer", tok, "--split", split,
                           "--out", args.eval_out or os.path.join(args.work, "eval"), "--limit", str(args.eval_limit)]
                          + (["--inputs", args.eval_inputs] if args.eval_inputs else []))
        elif step == "test-bundle":
            import export
            export.main(["--random-test-bundle", "--out", os.path.join(os.path.dirname(MODEL_DIR), "test-bundle")])


def install_bundle(src: str, dest: str) -> None:
    """Move the exported files next to MODEL.md and the recipe (only the bundle's own entries)."""
    import shutil
    for name in ("onnx", "reference", "tokenizer.json", "reference.json", "manifest.json"):  # manifest last
        s, d = os.path.join(src, name), os.path.join(dest, name)
        tmp = d + ".new"
        if os.path.isdir(s):
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.copytree(s, tmp)
            shutil.rmtree(d, ignore_errors=True)
        else:
            shutil.copy(s, tmp)
        os.replace(tmp, d)
    print(f"bundle installed in {dest}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
