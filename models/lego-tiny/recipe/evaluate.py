"""Evaluate a lego-tiny checkpoint on the held-out split (evalset.py) with PyTorch: prints the metric
table, writes predictions and a picture (test images with predicted vs. true boxes, and timelines)."""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time

import numpy as np
import torch
from PIL import Image, ImageDraw

import audio_features as af
import metrics
from data import normalize
from export import generate
from model import Config, LegoTiny
from tokenizer import Tokenizer
from world import from_padded, pad_resize, sample_times


def load_image(path: str, size: int) -> torch.Tensor:
    img = Image.open(path).convert("RGB")
    return torch.from_numpy(normalize(np.asarray(pad_resize(img, size), dtype=np.uint8)))


def video_frames_fast(path: str, w: int, h: int, duration: float, n: int, fps: float) -> list:
    """The frames nearest the sample times (frame index floor(t * fps)), in one ffmpeg decode."""
    total = max(1, int(round(duration * fps)))
    idx = [min(total - 1, int(math.floor(t * duration * fps))) for t in sample_times(n)]
    sel = "+".join(f"eq(n\\,{i})" for i in sorted(set(idx)))
    raw = subprocess.run(["ffmpeg", "-loglevel", "error", "-i", path, "-vf", f"select={sel}", "-vsync", "0",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    size = w * h * 3
    got = [Image.frombytes("RGB", (w, h), raw[k * size: (k + 1) * size]) for k in range(len(raw) // size)]
    if not got:
        return video_frames(path, w, h, duration, n)
    by_index = dict(zip(sorted(set(idx)), got + [got[-1]] * (len(set(idx)) - len(got))))
    return [by_index[i] for i in idx]


def video_frames(path: str, w: int, h: int, duration: float, n: int) -> list:
    frames = []
    for t in sample_times(n):
        ts = min(t * duration, max(0.0, duration - 0.05))
        raw = subprocess.run(["ffmpeg", "-loglevel", "error", "-ss", f"{ts:.3f}", "-i", path, "-frames:v", "1",
                              "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
        if len(raw) < w * h * 3:  # past the last frame: repeat the previous one
            frames.append(frames[-1] if frames else Image.new("RGB", (w, h)))
            continue
        frames.append(Image.frombytes("RGB", (w, h), raw[: w * h * 3]))
    return frames


def load_prepared(path: str, kind: str, cfg: Config) -> torch.Tensor:
    """Pixels the TypeScript media pipeline prepared (float32, [3, S, S] or [F, 3, S, S])."""
    shape = (3, cfg.image_size, cfg.image_size) if kind == "image" else (cfg.video_frames, 3, cfg.frame_size, cfg.frame_size)
    if not os.path.exists(path):
        sys.exit(f"evaluate.py: {path} is missing (write it with: npm run lego -- eval --save-inputs DIR)")
    arr = np.fromfile(path, dtype="<f4")
    if arr.size != int(np.prod(shape)):
        sys.exit(f"evaluate.py: {path} holds {arr.size} values, expected {shape}")
    return torch.from_numpy(arr.reshape(shape).copy())


def load_video(path: str, media: dict, size: int, n: int, fast: bool = False) -> torch.Tensor:
    if fast and media.get("fps"):
        frames = video_frames_fast(path, media["width"], media["height"], media["duration"], n, media["fps"])
    else:
        frames = video_frames(path, media["width"], media["height"], media["duration"], n)
    arr = np.stack([np.asarray(pad_resize(f, size), dtype=np.uint8) for f in frames])
    return torch.from_numpy(normalize(arr))


def picture(rows, preds, root: str, out: str) -> None:
    """A grid of referring questions (green = truth, red = prediction) and a few video timelines."""
    cell = 220
    pairs = list(zip(rows, preds))
    sound_imgs = [(r, p) for r, p in pairs if r["task"] == "sound_locate"][:4]
    imgs = [(r, p) for r, p in pairs if r["task"] in ("refer", "spatial")][: 12 - len(sound_imgs)] + sound_imgs
    sound_vids = [(r, p) for r, p in pairs if r["task"] == "sound_span"][:3]
    vids = [(r, p) for r, p in pairs if r["task"] == "when"][: 6 - len(sound_vids)] + sound_vids
    cols = 4
    grid_h = ((len(imgs) + cols - 1) // cols) * (cell + 34)
    canvas = Image.new("RGB", (cols * cell, grid_h + 40 * len(vids) + 30), (255, 255, 255))
    d = ImageDraw.Draw(canvas)
    for i, (r, p) in enumerate(imgs):
        img = Image.open(os.path.join(root, r["media"]["file"])).convert("RGB")
        w, h = img.size
        s = cell / max(w, h)
        th = img.resize((max(1, int(w * s)), max(1, int(h * s))))
        x0, y0 = (i % cols) * cell, (i // cols) * (cell + 34)
        canvas.paste(th, (x0, y0))
        for box, colour in ((r["truth"]["box"], (0, 170, 0)), ((metrics.boxes(p["output_text"]) or [None])[0], (220, 0, 0))):
            if box is None:
                continue
            X1, Y1, X2, Y2 = from_padded(box, w, h)
            d.rectangle([x0 + X1 * s, y0 + Y1 * s, x0 + X2 * s, y0 + Y2 * s], outline=colour, width=3)
        ok = p["scores"].get("refer_acc50", p["scores"].get("spatial_acc50", p["scores"].get("sound_locate_acc50", 0)))
        tag = "[sound] " if r["task"] == "sound_locate" else ""
        d.text((x0 + 4, y0 + cell + 2), ("OK " if ok else "MISS ") + tag + r["turns"][-1]["text"][:34 - len(tag)], fill=(0, 0, 0))
    y = grid_h + 10
    d.text((4, y), "video (and [heard] in a soundtrack): green = true span, red = predicted", fill=(0, 0, 0))
    y += 18
    W = cols * cell - 20
    for r, p in vids:
        t = r["truth"]["span"]
        ps = (metrics.spans(p["output_text"]) or [None])[0]
        d.rectangle([10, y, 10 + W, y + 28], outline=(180, 180, 180))
        d.rectangle([10 + t[0] * W, y + 2, 10 + t[1] * W, y + 13], fill=(0, 170, 0))
        if ps:
            d.rectangle([10 + ps[0] * W, y + 15, 10 + ps[1] * W, y + 26], fill=(220, 0, 0))
        d.text((14, y + 2), ("[heard] " if r["task"] == "sound_span" else "") + r["turns"][-1]["text"][:60], fill=(0, 0, 0))
        y += 40
    canvas.save(out)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="evaluate.py", description=__doc__)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--split", required=True, help="folder written by evalset.py")
    ap.add_argument("--out", required=True, help="folder for predictions, table and picture")
    ap.add_argument("--limit", type=int, default=0, help="evaluate only the first N questions of each task")
    ap.add_argument("--tasks", help="comma-separated tasks to evaluate (default: all)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (2 on a busy 2-core machine was ~10x slower)")
    ap.add_argument("--fast-video", action="store_true",
                    help="decode each clip's frames in one ffmpeg call (the nearest frame to each sample time) "
                         "instead of one seek per frame; both models of a comparison must use the same")
    ap.add_argument("--inputs", help="read each media file's pixels from here (<file>.f32, written by "
                                     "`lego eval --save-inputs`) instead of preparing them with PIL/ffmpeg: "
                                     "both runtimes then score the same pixels")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    ck = torch.load(args.checkpoint, map_location="cpu")
    cfg = Config(**ck["config"])
    model = LegoTiny(cfg)
    model.load_state_dict(ck["model"])
    model.eval()
    tok = Tokenizer(ck["vocab"]) if "vocab" in ck else Tokenizer.load(args.tokenizer)
    with open(os.path.join(args.split, "eval.jsonl")) as f:
        rows = [json.loads(l) for l in f]
    if args.tasks:
        wanted = set(args.tasks.split(","))
        rows = [r for r in rows if r["task"] in wanted]
    if args.limit:
        seen = {}
        keep = []
        for r in rows:
            seen[r["task"]] = seen.get(r["task"], 0) + 1
            if seen[r["task"]] <= args.limit:
                keep.append(r)
        rows = keep
    os.makedirs(args.out, exist_ok=True)
    if not cfg.audio_tokens:
        skipped = sum(1 for r in rows if r.get("audio"))
        rows = [r for r in rows if not r.get("audio")]
        if skipped:
            print(f"evaluate: this model has no audio encoder; {skipped} sound questions left out", flush=True)
    preds, scores, marks = [], [], []
    t0 = time.time()
    for i, r in enumerate(rows):
        m = r["media"]
        px = None
        if m is None:
            pass
        elif args.inputs:
            px = load_prepared(os.path.join(args.inputs, m["file"] + ".f32"), m["kind"], cfg)
        elif m["kind"] == "image":
            px = load_image(os.path.join(args.split, m["file"]), cfg.image_size)
        else:
            px = load_video(os.path.join(args.split, m["file"]), m, cfg.frame_size, cfg.video_frames, args.fast_video)
        audio = None
        if r.get("audio"):
            a = r["audio"]
            samples = af.decode_ffmpeg(os.path.join(args.split, a["file"]))
            audio = torch.from_numpy(af.features(samples, a["clips"]))
        turns, cur = [], None
        for t in r["turns"]:
            if t["role"] == "user":
                cur = {"human": t["text"]}
                turns.append(cur)
            else:
                cur["assistant"] = t["text"]
        g = generate(model, tok, turns, m["kind"] if m else None, px, max_new=200, audio=audio)
        sc = metrics.score(r["task"], r["truth"], g["output_text"])
        mark = r.get("template", "seen")
        preds.append({"id": r["id"], "task": r["task"], "template": mark, "output_text": g["output_text"],
                      "truth": r["answer"], "scores": sc})
        scores.append(sc)
        marks.append(mark)
        if (i + 1) % 50 == 0 or i + 1 == len(rows):
            el = time.time() - t0
            print(f"  eval: {i + 1}/{len(rows)}  {el:.0f}s elapsed, ~{el / (i + 1) * (len(rows) - i - 1):.0f}s left", flush=True)
    agg = metrics.aggregate(scores)
    counts = {}
    for s in scores:
        for k in s:
            counts[k] = counts.get(k, 0) + 1
    parts = metrics.by_template(scores, marks)
    split_counts = {}
    for s, mk in zip(scores, marks):
        for k in s:
            split_counts.setdefault(mk, {})[k] = split_counts.setdefault(mk, {}).get(k, 0) + 1
    tab = metrics.table(agg, counts)
    if "held-out" in marks:
        tab = metrics.split_table(parts, split_counts)
    print(tab)
    with open(os.path.join(args.out, "predictions.jsonl"), "w") as f:
        for p in preds:
            f.write(json.dumps(p) + "\n")
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump({"metrics": agg, "counts": counts, "questions": len(rows), "seconds": time.time() - t0,
                   "by_template": parts, "counts_by_template": split_counts}, f, indent=2)
    with open(os.path.join(args.out, "metrics.md"), "w") as f:
        f.write(tab + "\n")
    picture(rows, preds, args.split, os.path.join(args.out, "eval.png"))
    print(f"wrote {args.out}/metrics.md, predictions.jsonl, eval.png", flush=True)


if __name__ == "__main__":
    main()
