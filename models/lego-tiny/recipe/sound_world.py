"""The sound half of the synthetic world: every shape makes a sound of its own.

- timbre by kind: circle = pure tone, square = odd harmonics 1/n, triangle = odd harmonics 1/n^2,
  star = a struck bell (inharmonic partials that decay), heart = a tone with wide vibrato,
  hexagon = sawtooth (all harmonics 1/n), cross = a band of noise around the pitch, diamond = rising chirps;
- pitch and rhythm by colour: colour i sounds at 196 Hz * 2^(3i/12) (three semitones apart, 196-1319 Hz),
  steady, pulsing twice a second or five times a second (i mod 3);
- with background noise (10-35 dB SNR, white or low-passed), an overall level from -30 to -3 dB and a slow
  level ramp of up to +-6 dB.

16 kHz throughout. A *sound* is one source for 1-4 s; a *soundtrack* is a clip's duration with 1-2
sources each heard during a span of it (fractions, 2 decimals like the video spans). Rendering takes a
sample range, so training renders only the windows the encoder sees (audio_features.split_clips).
Deterministic for a seed.
"""
from __future__ import annotations

import math
import random
from typing import List, Optional, Sequence

import numpy as np

import audio_features as af
from world import COLOUR_NAMES, KINDS

SR = af.SAMPLE_RATE
BELL = [(1.0, 1.0), (2.76, 0.6), (5.40, 0.4), (8.93, 0.25)]


def pitch(colour: str) -> float:
    return 196.0 * 2.0 ** (3 * COLOUR_NAMES.index(colour) / 12.0)


def pulse_rate(colour: str) -> float:
    return [0.0, 2.0, 5.0][COLOUR_NAMES.index(colour) % 3]


def make_sound(seed: int, colour: Optional[str] = None, kind: Optional[str] = None,
               duration: Optional[float] = None) -> dict:
    """One source heard alone: its parameters (a small dict, like a scene)."""
    rng = random.Random(seed)
    colour = colour or rng.choice(COLOUR_NAMES)
    kind = kind or rng.choice(KINDS)
    dur = duration if duration is not None else round(rng.uniform(1.0, 4.0), 2)
    return {"seed": seed, "duration": dur, "events": [_event(rng, colour, kind, 0.0, 1.0)], **_room(rng)}


def make_soundtrack(seed: int, duration: float, sources: Sequence[tuple]) -> dict:
    """A clip's soundtrack: each (colour, kind) heard during its own span (fractions of the clip)."""
    rng = random.Random(seed)
    events = []
    for colour, kind in sources:
        length = rng.uniform(0.2, 0.55)  # short enough that no constant span scores (0.3-0.8 let {0.15, 0.85} score 83 %)
        start = rng.uniform(0.0, 1.0 - length)
        events.append(_event(rng, colour, kind, round(start, 2), round(start + length, 2)))
    return {"seed": seed, "duration": duration, "events": events, **_room(rng)}


def _event(rng: random.Random, colour: str, kind: str, start: float, end: float) -> dict:
    return {"colour": colour, "kind": kind, "start": start, "end": end, "detune": rng.uniform(-0.01, 0.01),
            "phase": rng.uniform(0, 2 * math.pi), "gain_db": rng.uniform(-4, 0)}


def _room(rng: random.Random) -> dict:
    return {"level_db": rng.uniform(-30, -3), "ramp_db": rng.uniform(-6, 6), "snr_db": rng.uniform(10, 35),
            "noise": rng.choice(["white", "low"]), "noise_seed": rng.randrange(1 << 30)}


def _source(ev: dict, t: np.ndarray) -> np.ndarray:
    """The source's waveform at absolute times t (seconds), peak about 1."""
    f0 = pitch(ev["colour"]) * (1 + ev["detune"])
    ph = ev["phase"]
    kind = ev["kind"]
    nyq = SR / 2 * 0.95
    if kind == "circle":
        y = np.sin(2 * math.pi * f0 * t + ph)
    elif kind in ("square", "triangle", "hexagon"):
        y = np.zeros_like(t)
        step = 1 if kind == "hexagon" else 2
        n = 1
        while n * f0 < nyq and n <= 15:
            a = 1.0 / n if kind != "triangle" else 1.0 / (n * n)
            y += a * np.sin(2 * math.pi * n * f0 * t + n * ph)
            n += step
        y /= 1.2
    elif kind == "star":  # struck every 0.5 s (or by the pulse), partials decay
        period = 0.5
        since = np.mod(t + ph / (2 * math.pi) * period, period)
        y = np.zeros_like(t)
        for ratio, a in BELL:
            if ratio * f0 < nyq:
                y += a * np.exp(-since * (4.0 + ratio)) * np.sin(2 * math.pi * ratio * f0 * t)
        y /= 1.6
    elif kind == "heart":  # wide vibrato at 6 Hz
        inst = 2 * math.pi * f0 * t + (0.05 * f0 / 6.0) * np.sin(2 * math.pi * 6.0 * t + ph)
        y = 0.8 * np.sin(inst) + 0.3 * np.sin(2 * inst)
    elif kind == "cross":  # band of noise around f0 (+-15 %), deterministic in t
        y = np.zeros_like(t)
        r = random.Random(int(f0 * 1000) ^ int(ph * 1e6))
        for _ in range(12):
            f = f0 * r.uniform(0.85, 1.15)
            y += np.sin(2 * math.pi * f * t + r.uniform(0, 2 * math.pi))
        y /= 3.5
    elif kind == "diamond":  # chirps rising from f0 to 1.5 f0 every 0.25 s
        period = 0.25
        u = np.mod(t + ph / (2 * math.pi) * period, period) / period
        # phase of a linear chirp restarted each period
        inst = 2 * math.pi * f0 * period * (u + 0.25 * u * u) + 2 * math.pi * f0 * period * 1.25 * np.floor(t / period)
        y = np.sin(inst)
    else:
        raise ValueError(kind)
    rate = pulse_rate(ev["colour"])
    if rate:
        on = np.mod(t * rate, 1.0)
        y = y * np.clip(np.minimum(on, 0.6 - on) / 0.03, 0.0, 1.0)  # on 60 % of each pulse, 30 ms edges
    return y


def render(sound: dict, first: int, n: int) -> np.ndarray:
    """Samples [first, first + n) of the sound (float64; zeros outside [0, duration))."""
    total = int(round(sound["duration"] * SR))
    out = np.zeros(n, dtype=np.float64)
    lo, hi = max(first, 0), min(first + n, total)
    if hi <= lo:
        return out
    idx = np.arange(lo, hi)
    t = idx / SR
    frac = idx / max(total, 1)
    sig = np.zeros(hi - lo)
    for ev in sound["events"]:
        a, b = ev["start"] * sound["duration"], ev["end"] * sound["duration"]
        gate = np.clip(np.minimum(t - a, b - t) / 0.02, 0.0, 1.0)  # 20 ms fades
        if gate.any():
            sig += gate * _source(ev, t) * 10 ** (ev["gain_db"] / 20)
    noise = _noise(sound, lo, hi)
    noise *= 10 ** (-sound["snr_db"] / 20) * 0.5
    level = 10 ** ((sound["level_db"] + sound["ramp_db"] * (frac - 0.5)) / 20)
    out[lo - first: hi - first] = np.clip((sig + noise) * level, -1.0, 1.0)
    return out


NOISE_BLOCK = 4096


def _noise(sound: dict, lo: int, hi: int) -> np.ndarray:
    """Background noise for samples [lo, hi): drawn in fixed blocks seeded by their index, so a window
    rendered alone equals the same samples of the whole sound."""
    pad = 8 if sound["noise"] == "low" else 0
    a, b = lo - pad, hi + pad
    first, last = a // NOISE_BLOCK, (b - 1) // NOISE_BLOCK
    parts = [np.random.default_rng((sound["noise_seed"], blk + 1_000_000)).standard_normal(NOISE_BLOCK)
             for blk in range(first, last + 1)]
    raw = np.concatenate(parts)[a - first * NOISE_BLOCK: b - first * NOISE_BLOCK]
    if pad:
        raw = np.convolve(raw, np.ones(8) / math.sqrt(8), mode="same")[pad: pad + hi - lo]
    return raw


def samples(sound: dict) -> np.ndarray:
    return render(sound, 0, int(round(sound["duration"] * SR)))


def sound_features(sound: dict, clips: int) -> np.ndarray:
    """The encoder input, rendering only the windows the clips take (cheap for long soundtracks)."""
    total = int(round(sound["duration"] * SR))
    L = int(af.CLIP_SECONDS * SR)
    out = []
    for c in af.clip_centres(total, clips):
        out.append(af.log_mel_clip(render(sound, c - L // 2, L)))
    x = (np.stack(out) - af.FEATURE_MEAN) / af.FEATURE_STD
    return x.astype(np.float32)


def event_spans(sound: dict) -> List[dict]:
    return [{"colour": e["colour"], "kind": e["kind"], "span": (e["start"], e["end"])} for e in sound["events"]]


def feature_stats(n: int = 2000) -> tuple:
    """Mean and std of the un-normalised log-mel over sounds and soundtracks (what FEATURE_MEAN/STD hold)."""
    vals = []
    for i in range(n):
        s = make_sound(70_000_000 + i)
        vals.append(af.raw_features(samples(s), af.CLIPS).ravel()[::7])
    v = np.concatenate(vals)
    return float(v.mean()), float(v.std())
