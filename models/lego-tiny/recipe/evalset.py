"""The held-out evaluation split as real files: full-size PNG/JPEG images, H.264 MP4 clips, and
``eval.jsonl`` with one question a line (history with the true answers, the truth to score on).

Seeded from EVAL_SEED, far from the training seeds. Both the Python evaluation and the TypeScript
``lego eval`` read exactly these files.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time

import audio_features as af
import dialogue
import sound_dialogue
import sound_world as sw
from data import EVAL_SEED
from world import make_clip, make_scene, render_frame, render_scene

IMAGE_PLAN = {"refer": 200, "describe": 80, "region": 150, "count": 150, "attribute": 100, "yesno": 200,
              "spatial": 100, "follow": 150}
VIDEO_PLAN = {"when": 150, "vdescribe": 40, "vregion": 80}
SOUND_PLAN = {"sound_source": 100, "sound_locate": 100, "sound_span": 80}
SOUND_SEED = EVAL_SEED + 7_000_000
MAX_SOUNDTRACK_SECONDS = 30.0  # clips with a soundtrack are kept short (file size, decode time)


def scaled(plan: dict, scale: float) -> dict:
    return {k: max(2, int(round(v * scale))) for k, v in plan.items()}


def write_mp4(clip: dict, path: str, max_frames: int = 240, audio: str = None) -> float:
    """Render the clip at its size and write H.264; long clips get a lower frame rate. ``audio``: a WAV to
    put in as the soundtrack (AAC)."""
    fps = min(float(clip["fps"]), max(1.0, max_frames / clip["duration"]))
    n = max(2, int(math.floor(clip["duration"] * fps)))
    w, h = clip["w"] - clip["w"] % 2, clip["h"] - clip["h"] % 2
    cmd = ["ffmpeg", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}",
           "-r", f"{fps:.6f}", "-i", "-"] + (["-i", audio, "-c:a", "aac", "-b:a", "96k"] if audio else []) + [
           "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
           "-pix_fmt", "yuv420p", "-t", f"{clip['duration']:.3f}", "-movflags", "+faststart", path]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    for i in range(n):
        t = min(1.0, (i + 0.5) / (clip["duration"] * fps))
        img = render_frame(clip, t, 1.0)
        if img.size != (w, h):
            img = img.crop((0, 0, w, h))
        p.stdin.write(img.tobytes())
    p.stdin.close()
    if p.wait() != 0:
        raise RuntimeError(f"ffmpeg failed writing {path}")
    return fps


def save_scene(tmp: str, sc: dict, stem: str) -> dict:
    """Write a scene's picture under images/ (JPEG at the scene's quality where the scene says so) and
    return the row's media entry."""
    ext = "jpg" if sc["jpeg"] else "png"
    name = f"images/{stem}.{ext}"
    img = render_scene(sc, jpeg=False)
    if ext == "jpg":
        img.save(os.path.join(tmp, name), "JPEG", quality=sc["quality"])
    else:
        img.save(os.path.join(tmp, name))
    return {"kind": "image", "file": name, "width": sc["w"], "height": sc["h"]}


def build(out: str, scale: float = 1.0, seed: int = EVAL_SEED, sound_scale: float = None) -> None:
    """``scale`` sizes the image and video tasks, ``sound_scale`` (default: the same) the sound tasks. The
    scored question of each row is a seen or a held-out template, half and half (row["template"])."""
    if not shutil.which("ffmpeg"):
        sys.exit("evalset: ffmpeg is missing (apt-get install ffmpeg)")
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "images"))
    os.makedirs(os.path.join(tmp, "videos"))
    os.makedirs(os.path.join(tmp, "audio"))
    rng = random.Random(seed)
    rows = []
    t0 = time.time()
    k = 0
    plan = scaled(IMAGE_PLAN, scale)
    total = sum(plan.values())
    for task, n in plan.items():
        made = 0
        while made < n:
            k += 1
            sc = make_scene(seed + k)
            if task == "follow":
                conv = dialogue.image_conversation(rng, sc, first=rng.choice(["refer", "region", "yesno", "spatial"]), turns=2,
                                                   split="eval")
                if len(conv) < 2 or conv[1]["task"] != "follow":
                    continue
            else:
                conv = dialogue.image_conversation(rng, sc, first=task, turns=1, split="eval")
                if not conv:
                    continue
            rows.append(row(f"{task}-{made}", task, save_scene(tmp, sc, f"{task}-{made:04d}"), conv))
            made += 1
            if len(rows) % 100 == 0:
                print(f"  evalset images: {len(rows)}/{total}  {time.time() - t0:.0f}s", flush=True)
    vplan = scaled(VIDEO_PLAN, scale)
    vtotal = sum(vplan.values())
    vk = 0
    vmade = 0
    for task, n in vplan.items():
        made = 0
        while made < n:
            vk += 1
            cl = make_clip(seed + 5_000_000 + vk)
            conv = dialogue.video_conversation(rng, cl, first=task, turns=1, split="eval")
            if not conv:
                continue
            name = f"videos/{task}-{made:04d}.mp4"
            fps = write_mp4(cl, os.path.join(tmp, name))
            rows.append(row(f"{task}-{made}", task, {"kind": "video", "file": name, "width": cl["w"] - cl["w"] % 2,
                                                      "height": cl["h"] - cl["h"] % 2, "duration": cl["duration"],
                                                      "fps": round(fps, 3)}, conv))
            made += 1
            vmade += 1
            if vmade % 20 == 0:
                print(f"  evalset clips: {vmade}/{vtotal}  {time.time() - t0:.0f}s", flush=True)
    rows += build_sound(tmp, rng, scaled(SOUND_PLAN, scale if sound_scale is None else sound_scale), seed, t0)
    with open(os.path.join(tmp, "eval.jsonl"), "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    with open(os.path.join(tmp, "README.md"), "w") as f:
        f.write(f"lego-tiny held-out split: seed {seed}, scale {scale}; regenerate with evalset.py\n")
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    print(f"evalset: {len(rows)} questions in {out} ({time.time() - t0:.0f}s)", flush=True)


def build_sound(tmp: str, rng: random.Random, plan: dict, seed: int, t0: float) -> list:
    """Sound rows: a WAV alone, an image with the WAV of one of its shapes, a clip whose MP4 carries its
    soundtrack. Each sound is seeded apart from training's (data.SOUND_SEED)."""
    rows = []
    k = 0
    for task, n in plan.items():
        for made in range(n):
            k += 1
            sseed = SOUND_SEED + (seed - EVAL_SEED) + k  # the held-out split's own at seed = EVAL_SEED
            audio_name = f"audio/{task}-{made:04d}.wav"
            if task == "sound_source":
                snd = sw.make_sound(sseed)
                t = sound_dialogue.source_turn(rng, snd, "eval")
                media = None
            elif task == "sound_locate":
                sc = make_scene(sseed)
                shape = rng.choice(sc["shapes"])
                snd = sw.make_sound(sseed, shape["colour"], shape["kind"])
                t = sound_dialogue.locate_turn(rng, sc, shape, snd, "eval")
                media = save_scene(tmp, sc, f"{task}-{made:04d}")
            else:
                j = 0
                while True:
                    cl = make_clip(sseed + 100_000 * j)
                    j += 1
                    if cl["duration"] <= MAX_SOUNDTRACK_SECONDS:
                        break
                snd = sound_dialogue.soundtrack_for(cl, sseed, rng)
                t = sound_dialogue.span_turn(rng, snd, "eval")
            decoded = af.write_wav(os.path.join(tmp, audio_name), sw.samples(snd))
            audio = {"file": audio_name, "duration": round(decoded.shape[0] / af.SAMPLE_RATE, 6), "clips": t["clips"]}
            if task == "sound_span":
                name = f"videos/{task}-{made:04d}.mp4"
                fps = write_mp4(cl, os.path.join(tmp, name), audio=os.path.join(tmp, audio_name))
                os.remove(os.path.join(tmp, audio_name))  # the soundtrack lives in the MP4
                media = {"kind": "video", "file": name, "width": cl["w"] - cl["w"] % 2, "height": cl["h"] - cl["h"] % 2,
                         "duration": cl["duration"], "fps": round(fps, 3)}
                audio = {"file": name, "duration": cl["duration"], "clips": t["clips"], "soundtrack": True}
            r = row(f"{task}-{made}", task, media, [t])
            r["audio"] = audio
            rows.append(r)
        print(f"  evalset sounds: {task} {n}  {time.time() - t0:.0f}s", flush=True)
    return rows


def row(rid: str, task: str, media: dict, conv: list) -> dict:
    turns = []
    for t in conv[:-1]:
        turns += [{"role": "user", "text": t["human"]}, {"role": "assistant", "text": t["assistant"]}]
    turns.append({"role": "user", "text": conv[-1]["human"]})
    truth = dict(conv[-1]["truth"])
    return {"id": rid, "task": task, "template": conv[-1].get("template", "seen"), "media": media, "turns": turns,
            "truth": truth, "answer": conv[-1]["assistant"]}


def main(argv=None):
    ap = argparse.ArgumentParser(prog="evalset.py", description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the full split (e.g. 0.05 for a smoke test)")
    ap.add_argument("--sound-scale", type=float, help="fraction of the sound tasks (default: --scale)")
    ap.add_argument("--seed", type=int, default=EVAL_SEED,
                    help="another split drawn the same way, e.g. 920000000 for a validation split that chooses "
                         "between checkpoints without looking at the held-out one (default: the held-out split)")
    args = ap.parse_args(argv)
    build(args.out, args.scale, seed=args.seed, sound_scale=args.sound_scale)


if __name__ == "__main__":
    main()
