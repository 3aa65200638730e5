"""Writes the audio fixtures the TypeScript parity test reads (tests/fixtures/audio-*): a few 16-bit PCM
WAVs from the sound world and, for each, the encoder input audio_features.py computes from the samples
a decoder reads back (float32 little-endian, [clips, n_mels, frames]), described by audio-fixtures.json.

    /usr/bin/python3 make_audio_fixtures.py      # rewrites tests/fixtures/audio-*
"""
from __future__ import annotations

import json
import os

import numpy as np

import audio_features as af
import sound_world as sw

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "tests", "fixtures")

CASES = [
    # name, sound, clips: a sound of the world; one shorter than a clip (zeros around it); a soundtrack
    ("audio-red-star", lambda: sw.make_sound(11, "red", "star", 2.37), af.CLIPS),
    ("audio-short-cyan-cross", lambda: sw.make_sound(12, "cyan", "cross", 0.43), af.CLIPS),
    ("audio-soundtrack", lambda: sw.make_soundtrack(13, 9.71, [("blue", "square"), ("pink", "diamond")]), af.SOUNDTRACK_CLIPS),
]


def build(out: str = FIXTURES) -> dict:
    os.makedirs(out, exist_ok=True)
    index = {"note": "float32 little-endian [clips, n_mels, frames] = audio_features.features(decoded WAV samples); "
                     "decoded = int16 / 32768 (ffmpeg -ac 1 -ar 16000 -f f32le)",
             "audio": af.audio_manifest(), "cases": []}
    for name, make, clips in CASES:
        snd = make()
        decoded = af.write_wav(os.path.join(out, name + ".wav"), sw.samples(snd))
        feats = af.features(decoded, clips)
        feats.astype("<f4").tofile(os.path.join(out, name + ".f32"))
        index["cases"].append({"name": name, "wav": name + ".wav", "features": name + ".f32", "samples": int(decoded.shape[0]),
                               "clips": clips, "shape": list(feats.shape),
                               "clip_centres": af.clip_centres(int(decoded.shape[0]), clips),
                               "first_values": [round(float(v), 6) for v in feats.reshape(-1)[:4]]})
    with open(os.path.join(out, "audio-fixtures.json"), "w") as f:
        json.dump(index, f, indent=2)
    return index


if __name__ == "__main__":
    idx = build()
    for c in idx["cases"]:
        print(c["name"], c["samples"], c["shape"])
