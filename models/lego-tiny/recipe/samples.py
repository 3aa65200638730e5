"""Sample media for people trying lego-tiny: a few scenes (PNG) and clips (MP4) of its world, written
deterministically into assets/samples/ with samples.json (file, kind, suggested question, the truth).

    /usr/bin/python3 models/lego-tiny/recipe/samples.py [--out assets/samples] [--ffmpeg /usr/bin/ffmpeg]

Scenes and clips come from the recipe's own generator (world.py), seeded from SAMPLE_SEED, far from the
training seeds (0…) and the held-out split (900 000 000…): the first seeds that fit each sample's recipe
(what it must show, a background that compresses well, a size for a chat window) are taken, so the same
world.py always writes the same files. The counting scene's search starts past the first fitting scenes
that lego-tiny (stage 5) miscounts: a sample is there to show what the model does when it is right. The web chat's welcome and `lego ask` examples in the README use
them; test/e2e/samples.test.ts checks that lego-tiny answers each suggested question right.
"""
from __future__ import annotations

import argparse
import io
import json
import math
import os
import subprocess
import sys
from typing import Callable, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from world import clip_events, lego_box, make_clip, make_scene, render_frame, render_scene  # noqa: E402

SAMPLE_SEED = 700_000_000
CALM_BACKGROUNDS = ("solid", "gradient")
SCENE_SIZE = (480, 360)
CLIP_FPS = 12
CLIP_MAX_SIDE = 480


def _first(make: Callable[[int], dict], fits: Callable[[dict], bool], start: int, limit: int = 20_000) -> dict:
    for seed in range(start, start + limit):
        item = make(seed)
        if fits(item):
            return item
    raise SystemExit(f"no seed in {start}..{start + limit} fits; has world.py changed a lot?")


def _shape(scene: dict, colour: str, kind: str) -> Optional[dict]:
    return next((s for s in scene["shapes"] if s["colour"] == colour and s["kind"] == kind), None)


def _png(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _scene_sample(name: str, question: str, scene: dict, truth: dict) -> dict:
    return {"file": name, "kind": "image", "question": question, "width": scene["w"], "height": scene["h"],
            "seed": scene["seed"], "truth": truth, "data": _png(render_scene(scene, jpeg=False))}


def scenes() -> List[dict]:
    out = []
    calm = lambda sc: sc["bg"]["kind"] in CALM_BACKGROUNDS  # noqa: E731

    # 1. refer: a red star among a few other shapes
    def star_fits(sc: dict) -> bool:
        return calm(sc) and _shape(sc, "red", "star") is not None and _shape(sc, "red", "star")["r"] > 40
    sc = _first(lambda s: make_scene(s, n=4, size=SCENE_SIZE), star_fits, SAMPLE_SEED)
    star = _shape(sc, "red", "star")
    out.append(_scene_sample("red-star.png", "Where is the red star?", sc,
                             {"boxes": [list(lego_box(star, sc["w"], sc["h"]))]}))

    # 2. count: two or three circles among other shapes, none touching another shape
    def apart(sc: dict) -> bool:
        ss = sc["shapes"]
        return all(math.hypot(a["cx"] - b["cx"], a["cy"] - b["cy"]) > a["r"] + b["r"] for i, a in enumerate(ss) for b in ss[i + 1:])

    def circles_fit(sc: dict) -> bool:
        circles = [s for s in sc["shapes"] if s["kind"] == "circle"]
        return calm(sc) and 2 <= len(circles) <= 3 and min(s["r"] for s in circles) > 25 and apart(sc)
    sc = _first(lambda s: make_scene(s, n=4, size=SCENE_SIZE), circles_fit, SAMPLE_SEED + 100_812)
    circles = [s for s in sc["shapes"] if s["kind"] == "circle"]
    out.append(_scene_sample("circles.png", "How many circles are there?", sc,
                             {"count": len(circles), "boxes": [list(lego_box(s, sc["w"], sc["h"])) for s in circles]}))

    # 3. describe: every shape with its box
    sc = _first(lambda s: make_scene(s, n=3, size=SCENE_SIZE), lambda sc: calm(sc) and min(s["r"] for s in sc["shapes"]) > 35,
                SAMPLE_SEED + 200_000)
    out.append(_scene_sample("three-shapes.png", "What shapes do you see?", sc,
                             {"boxes": [list(lego_box(s, sc["w"], sc["h"])) for s in sc["shapes"]],
                              "names": [f"{s['colour']} {s['kind']}" for s in sc["shapes"]]}))
    return out


def _mp4(clip: dict, ffmpeg: str, wav: Optional[bytes] = None) -> bytes:
    """The clip at CLIP_FPS, its longer side CLIP_MAX_SIDE (even sides for yuv420p), H.264, one thread (same bytes
    every run); ``wav``: a soundtrack to put in (AAC, mono 16 kHz as the sound world makes it)."""
    scale = CLIP_MAX_SIDE / max(clip["w"], clip["h"])
    w = 2 * round(clip["w"] * scale / 2)
    h = 2 * round(clip["h"] * scale / 2)
    n = max(2, round(clip["duration"] * CLIP_FPS))
    raw = bytearray()
    for i in range(n):
        frame = render_frame(clip, (i + 0.5) / n, scale)
        raw += frame.resize((w, h)).tobytes() if frame.size != (w, h) else frame.tobytes()
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"lego-sample-{os.getpid()}.mp4")
    wav_path = path[:-4] + ".wav"
    audio_in, audio_out = [], ["-an"]
    if wav is not None:
        with open(wav_path, "wb") as f:
            f.write(wav)
        audio_in = ["-i", wav_path]
        audio_out = ["-c:a", "aac", "-b:a", "48k", "-flags:a", "+bitexact"]
    try:
        subprocess.run([ffmpeg, "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", str(CLIP_FPS),
                        "-i", "-"] + audio_in + ["-c:v", "libx264", "-preset", "veryslow", "-crf", "30", "-pix_fmt", "yuv420p"]
                       + audio_out + ["-threads", "1", "-movflags", "+faststart", "-map_metadata", "-1", "-fflags", "+bitexact",
                                      "-flags:v", "+bitexact", path], input=bytes(raw), check=True)
        with open(path, "rb") as f:
            return f.read()
    finally:
        for p_ in (path, wav_path):
            if os.path.exists(p_):
                os.remove(p_)


def clips(ffmpeg: str) -> List[dict]:
    out = []

    def short(cl: dict) -> bool:
        return 3.0 <= cl["duration"] <= 6.0 and cl["bg"]["kind"] in CALM_BACKGROUNDS and max(cl["w"], cl["h"]) >= 240

    # 1. when: one shape that comes on screen part-way through and leaves before the end
    def enters_late(cl: dict) -> bool:
        return short(cl) and len(cl["actors"]) == 2 and any(
            a["start"] > 0.2 and a["end"] < 0.85 and a["change"] is None for a in cl["actors"])
    cl = _first(make_clip, enters_late, SAMPLE_SEED)
    actor = next(a for a in cl["actors"] if a["start"] > 0.2 and a["end"] < 0.85 and a["change"] is None)
    span = next(e["span"] for e in clip_events(cl) if e["colour"] == actor["colour"] and e["kind"] == actor["kind"])
    out.append({"file": "shapes-clip.mp4", "kind": "video", "question": f"When does the {actor['colour']} {actor['kind']} appear?",
                "duration": cl["duration"], "seed": cl["seed"], "truth": {"spans": [list(span)]}, "data": _mp4(cl, ffmpeg)})

    # 2. when, with motion: a shape that moves across part of the clip while another stays
    def mover(cl: dict) -> Optional[dict]:
        return next((a for a in cl["actors"] if abs(a["vx"]) + abs(a["vy"]) > 0 and a["change"] is None
                     and a["end"] - a["start"] < 0.7), None)
    cl = _first(make_clip, lambda cl: short(cl) and len(cl["actors"]) == 2 and mover(cl) is not None, SAMPLE_SEED + 100_000)
    actor = mover(cl)
    event = next(e for e in clip_events(cl) if e["colour"] == actor["colour"] and e["kind"] == actor["kind"])
    out.append({"file": "moving-shape.mp4", "kind": "video", "question": f"When is the {actor['colour']} {actor['kind']} on screen?",
                "duration": cl["duration"], "seed": cl["seed"],
                "truth": {"spans": [list(event["span"])], "names": [f"{event['colour']} {event['kind']} {event['motion']}"]},
                "data": _mp4(cl, ffmpeg)})

    # 3. when, by ear: a clip with its soundtrack, one of its two shapes heard for part of it (not while it
    # is on screen only: the answer comes from the sound)
    import random
    import sound_dialogue
    import sound_world as sw

    def heard_fits(cl: dict) -> bool:
        if not (short(cl) and len(cl["actors"]) == 2):
            return False
        tr = sound_dialogue.soundtrack_for(cl, SAMPLE_SEED + 200_001, random.Random(cl["seed"]))
        evs = sw.event_spans(tr)
        return len(evs) == 1 and evs[0]["span"][1] - evs[0]["span"][0] >= 0.3
    cl = _first(make_clip, heard_fits, SAMPLE_SEED + 200_000)
    track = sound_dialogue.soundtrack_for(cl, SAMPLE_SEED + 200_001, random.Random(cl["seed"]))
    ev = sw.event_spans(track)[0]
    out.append({"file": "heard-clip.mp4", "kind": "video", "question": f"When is the {ev['colour']} {ev['kind']} heard?",
                "duration": cl["duration"], "seed": cl["seed"], "sound_seed": track["seed"],
                "truth": {"spans": [list(ev["span"])], "names": [f"{ev['colour']} {ev['kind']}"]},
                "soundtrack": True, "data": _mp4(cl, ffmpeg, _wav(sw.samples(track)))})
    return out


def _wav(samples) -> bytes:
    import wave
    import audio_features as af
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(af.SAMPLE_RATE)
        w.writeframes(af.to_pcm16(samples).tobytes())
    return buf.getvalue()


def sounds() -> List[dict]:
    """A scene with the sound of one of its shapes (the sound world's timbre and pitch for it): where from?"""
    import sound_world as sw

    def bell_fits(sc: dict) -> bool:
        stars = [s for s in sc["shapes"] if s["kind"] == "star"]
        return sc["bg"]["kind"] in CALM_BACKGROUNDS and len(stars) == 1 and stars[0]["r"] > 40 and len(sc["shapes"]) >= 3
    sc = _first(lambda s: make_scene(s, n=3, size=SCENE_SIZE), bell_fits, SAMPLE_SEED + 300_000)
    star = next(s for s in sc["shapes"] if s["kind"] == "star")
    sound = sw.make_sound(SAMPLE_SEED + 300_001, colour=star["colour"], kind="star", duration=2.0)
    item = _scene_sample("bell-scene.png", "Where does this sound come from?", sc,
                         {"boxes": [list(lego_box(star, sc["w"], sc["h"]))], "names": [f"{star['colour']} star"]})
    item.update({"sound": "bell.wav", "sound_seed": sound["seed"], "sound_duration": sound["duration"]})
    return [item, {"file": "bell.wav", "kind": "sound", "seed": sound["seed"], "data": _wav(sw.samples(sound)), "listed": False}]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(HERE, "..", "..", "..", "assets", "samples"))
    ap.add_argument("--ffmpeg", default="/usr/bin/ffmpeg")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    items = scenes() + clips(args.ffmpeg) + sounds()
    index = []
    for item in items:
        data = item.pop("data")
        with open(os.path.join(args.out, item["file"]), "wb") as f:
            f.write(data)
        # a sound file goes with its scene's entry ("sound"), not on its own
        if item.pop("listed", True):
            index.append(item)
        print(f"{item['file']:20s} {len(data) / 1024:7.1f} KiB  seed {item['seed']}  {item.get('question', '')}")
    with open(os.path.join(args.out, "samples.json"), "w") as f:
        json.dump({"generator": "models/lego-tiny/recipe/samples.py", "samples": index}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
