"""lego-tiny's recipe: `all` (default) regenerates the held-out split, trains, exports and evaluates.

    npm run model:train                        # everything: the shipped schedule (STAGES), export, evaluation
    npm run model:train -- train               # one step at a time: data | train | export | eval
    npm run model:train -- train --stage 3     # one stage of the schedule (starts from stage-2.pt)
    npm run model:train -- train --minutes 88  # instead of the schedule: one run from scratch
"""
from __future__ import annotations

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_DIR = os.path.dirname(HERE)  # models/lego-tiny
WORK = os.path.join(MODEL_DIR, "work")

# The shipped bundle's training, stage by stage (2 processes x 1 thread each). Each stage after the first
# starts from the previous stage's weights with a fresh optimiser and its own warm-up + cosine schedule.
# Stage 1 alone is the ~90-minute model; stages 2-5 buy the accuracy MODEL.md reports, at 4.8 hours in all.
STAGES = [
    {"minutes": 88, "lr": 2e-3},
    {"minutes": 50, "lr": 1e-3},
    # the image tasks still short of their targets drawn more often, clips (met) less
    {"minutes": 100, "lr": 1e-3, "mix": "region=6,count=5,yesno=5,refer=3,describe=1", "video_frac": 0.18},
    {"minutes": 28, "lr": 5e-4, "mix": "region=6,count=6,yesno=5,refer=3,describe=1", "video_frac": 0.18},
    # counting, the one target still short, drawn most often at a low rate
    {"minutes": 24, "lr": 4e-4, "mix": "count=10,region=6,yesno=5,refer=3,describe=1", "video_frac": 0.15},
]
# lego-tiny v2 (issue 17), not part of the shipped schedule: from stage 5 (work/stage-5.pt, or rebuilt from
# the stage-5 bundle's ONNX files by from_onnx.py), the tokenizer extended with the grammar's words (old ids
# kept), an audio encoder (8 sound tokens) and a third of the samples about sounds; the question grammar
# with held-out templates for every task. `train --stage 6` (--init PATH continues from another checkpoint,
# e.g. models/lego-tiny-v2/lego-tiny-v2.pt).
# Stage 6 was run twice: 84 min (the audio encoder learnt from the decoder's few answer words: sound -> source
# 6.7 %), then, from that checkpoint (+12 min of a run with the sound head as BCE, stopped: the encoder stayed
# at chance), a fresh audio encoder trained alone for 6 min (audio_pretrain.py), then kept frozen for 64 min more with the image
# fusion hearing the sound (Config.fusion_hears), the sound head (aux.SoundHead), shorter soundtrack spans and
# larger sound pools (MODEL.md).
V2_STAGES = [
    {"minutes": 64, "lr": 5e-4, "mix": "count=6,region=5,yesno=4,refer=6,describe=1", "video_frac": 0.16,
     "sound_frac": 0.4, "audio_tokens": 8, "fusion_hears": True, "audio_pretrain": 6,
     "pool": {"images": 24000, "videos": 6000, "sounds": 6000, "tracks": 3000}},
    # v2.1: the sound tokens read the question and carry a readable time code (model.sound_fuse); the audio
    # encoder stays frozen, the sound span drawn 2.5x as often as each other sound task
    {"minutes": 55, "lr": 4e-4, "mix": "count=6,region=5,yesno=4,refer=6,describe=1", "video_frac": 0.16,
     "sound_frac": 0.45, "sound_mix": "sound_span=2.5", "audio_tokens": 8, "fusion_hears": True,
     "sound_fusion": True, "freeze_audio": True,
     "pool": {"images": 24000, "videos": 6000, "sounds": 6000, "tracks": 3000}},
    # v2.2: the same, on 4x the soundtracks (12,000: each pool clip heard again with other sounds and spans;
    # 3,000 were seen ~10 times each by stage 7), half the samples about sounds, the span drawn 3x
    {"minutes": 50, "lr": 2.5e-4, "mix": "count=6,region=5,yesno=4,refer=6,describe=1", "video_frac": 0.16,
     "sound_frac": 0.5, "sound_mix": "sound_span=3", "audio_tokens": 8, "fusion_hears": True,
     "sound_fusion": True, "freeze_audio": True,
     "pool": {"images": 24000, "videos": 6000, "sounds": 6000, "tracks": 12000}},
    # v2.2 as shipped: stage 8 continued with the audio encoder learning at a quarter of the lr (no longer
    # frozen, the sound head off), so its tokens can learn where in each slot a sound starts and stops
    {"minutes": 40, "lr": 2e-4, "mix": "count=6,region=5,yesno=4,refer=6,describe=1", "video_frac": 0.16,
     "sound_frac": 0.5, "sound_mix": "sound_span=3", "audio_tokens": 8, "fusion_hears": True,
     "sound_fusion": True, "audio_lr_scale": 0.25,
     "pool": {"images": 24000, "videos": 6000, "sounds": 6000, "tracks": 12000}},
]
ALL_STAGES = STAGES + V2_STAGES


def main(argv=None):
    ap = argparse.ArgumentParser(prog="model:train", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", nargs="?", default="all", choices=["all", "data", "train", "export", "eval", "test-bundle"])
    ap.add_argument("--work", default=WORK, help="working folder (pool, checkpoints, split, logs)")
    ap.add_argument("--minutes", type=float,
                    help="train one run from scratch for this long instead of the shipped schedule")
    ap.add_argument("--stage", type=int, choices=range(1, len(ALL_STAGES) + 1),
                    help="run only this stage of the schedule (from the previous stage's stage-N.pt); "
                         f"{len(STAGES) + 1} = lego-tiny v2 (sound, grammar), {len(STAGES) + 2} = v2.1 (the sound fusion), "
                         f"{len(STAGES) + 3}-{len(STAGES) + 4} = v2.2 (more soundtracks, the audio encoder learning)")
    ap.add_argument("--init", help="with --stage: start from this checkpoint instead of the previous stage's")
    ap.add_argument("--threads", type=int, default=1, help="torch threads per training process")
    ap.add_argument("--procs", type=int, default=2, help="data-parallel training processes (one per core)")
    ap.add_argument("--eval-limit", type=int, default=0, help="questions per task in eval (0 = all)")
    ap.add_argument("--eval-inputs", help="eval on the pixels `npm run lego -- eval --save-inputs DIR` wrote")
    ap.add_argument("--eval-out", help="eval's output folder (default: WORK/eval)")
    ap.add_argument("--bundle", default=MODEL_DIR, help="where the exported bundle goes")
    args = ap.parse_args(argv)
    if args.minutes is not None and args.stage is not None:
        ap.error("--minutes (one run from scratch) and --stage (part of the schedule) exclude each other")
    if args.minutes is not None and args.minutes <= 0:
        ap.error("--minutes must be positive")
    # paths given on the command line are relative to where the command was run (run.sh moves here)
    caller = os.environ.get("LEGO_RECIPE_CALLER_CWD", os.getcwd())
    for key in ("work", "bundle", "eval_inputs", "eval_out", "init"):
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
            train_step(args)
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


def stage_args(stage: dict) -> list:
    out = ["--minutes", str(stage["minutes"]), "--lr", str(stage["lr"])]
    if "mix" in stage:
        out += ["--mix", stage["mix"]]
    if "video_frac" in stage:
        out += ["--video-frac", str(stage["video_frac"])]
    if "sound_frac" in stage:
        out += ["--sound-frac", str(stage["sound_frac"]), "--audio-tokens", str(stage["audio_tokens"])]
    if stage.get("fusion_hears"):
        out += ["--fusion-hears"]
    if stage.get("sound_fusion"):
        out += ["--sound-fusion"]
    if "sound_mix" in stage:
        out += ["--sound-mix", stage["sound_mix"]]
    if stage.get("audio_pretrain") or stage.get("freeze_audio"):
        out += ["--freeze-audio"]
    if stage.get("audio_lr_scale"):
        out += ["--audio-lr-scale", str(stage["audio_lr_scale"])]
    for key, value in stage.get("pool", {}).items():
        out += [f"--{key}", str(value)]
    return out


def v2_args(args, n: int) -> list:
    """Stage 6's extras: its own tokenizer (the stage-5 one extended), and stage 5's weights rebuilt from
    the bundle's ONNX files when work/stage-5.pt is missing."""
    base = os.path.join(args.work, "tokenizer.json")
    if not os.path.exists(base):
        base = os.path.join(MODEL_DIR, "tokenizer.json")
    out = ["--tokenizer", os.path.join(args.work, "tokenizer-v2.json"), "--base-tokenizer", base]
    prev = args.init or os.path.join(args.work, f"stage-{n - 1}.pt")
    if not os.path.exists(prev) and n - 1 > len(STAGES):
        sys.exit(f"model:train: stage {n} starts from {prev}, which is missing; run stage {n - 1} first or pass --init")
    if not os.path.exists(prev):
        with open(os.path.join(MODEL_DIR, "manifest.json")) as f:
            if json.load(f)["media"].get("audio"):
                sys.exit(f"model:train: stage {n} starts from {prev}, which is missing, and the bundle in "
                         f"{MODEL_DIR} is not stage 5 any more (it has sound): train stages 1-5 or pass --init")
        import from_onnx
        from_onnx.main(["--bundle", MODEL_DIR, "--out", prev])
    return out + ["--init", prev]


def train_step(args) -> None:
    """Train into WORK/final.pt: one run of --minutes, or the schedule's stages (or one of them)."""
    import shutil
    import train
    common = ["--work", args.work, "--threads", str(args.threads), "--procs", str(args.procs)]
    if args.minutes is not None:
        train.main(common + ["--minutes", str(args.minutes)])
        return
    numbers = [args.stage] if args.stage else list(range(1, len(STAGES) + 1))
    total = sum(ALL_STAGES[n - 1]["minutes"] for n in numbers)
    for n in numbers:
        stage = ALL_STAGES[n - 1]
        init = []
        if n > len(STAGES):
            init = v2_args(args, n)
        elif args.init:
            init = ["--init", args.init]
        elif n > 1:
            prev = os.path.join(args.work, f"stage-{n - 1}.pt")
            if not os.path.exists(prev):
                sys.exit(f"model:train: stage {n} starts from {prev}, which is missing; run stage {n - 1} first")
            init = ["--init", prev]
        print(f"== train: stage {n} of {len(ALL_STAGES)} ({stage['minutes']:g} of {total:g} min this run)", flush=True)
        if stage.get("audio_pretrain"):
            init = ["--init", audio_pretrain_step(args, stage, init[-1])]
        train.main(common + stage_args(stage) + init)
        shutil.copy(os.path.join(args.work, "final.pt"), os.path.join(args.work, f"stage-{n}.pt"))


def audio_pretrain_step(args, stage: dict, init: str) -> str:
    """The audio encoder trained alone first (audio_pretrain.py, from scratch) on the stage's sound pool."""
    import audio_pretrain
    from data import build_pool, build_sound_pool, track_clips
    from model import Config
    cfg = Config(vocab_size=1)
    pool = stage["pool"]
    clips = build_pool(os.path.join(args.work, "pool.pkl"), pool["images"], pool["videos"], cfg.image_size,
                       cfg.video_frames, cfg.frame_size)["clips"]
    build_sound_pool(os.path.join(args.work, "sound-pool.pkl"), pool["sounds"], track_clips(clips, pool["tracks"]))
    out = os.path.join(args.work, "heard.pt")
    print(f"== audio pretrain: {stage['audio_pretrain']:g} min", flush=True)
    # in a process of its own: torch's OpenMP pool with 2 threads here would hang the training processes
    # this one forks next (run.sh)
    import subprocess
    subprocess.run([sys.executable, audio_pretrain.__file__, "--init", init, "--work", args.work, "--out", out,
                    "--minutes", str(stage["audio_pretrain"]), "--threads", str(args.threads), "--fresh"], check=True)
    return out


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
