"""Sound -> clips -> log-mel features, exactly as the bundle's audio contract says (numpy only, no decoder).

The TypeScript engine implements the same steps (src/media/audio-*) and checks itself against the
fixtures this module writes (tests/fixtures/audio-*). Every number comes from the manifest's
``media.audio`` section, which ``audio_manifest()`` builds; keep the two implementations in step:

- decode: mono float32 in [-1, 1] at 16 kHz (the recipe synthesises at 16 kHz directly);
- clips: C clips of L = clip_seconds * sample_rate samples; clip i is centred at
  c = round_half_up((i + 0.5) * D / C) and takes samples [c - L/2, c + L/2), zeros outside [0, D);
- per clip: frames = 1 + (L - n_fft) // hop; frame t = samples [t*hop, t*hop + n_fft) times a periodic
  Hann window; |rfft|^2 (n_fft/2 + 1 bins); HTK mel filters (triangles between n_mels + 2 points equally
  spaced in mel from f_min to f_max, peak 1, no area norm); ln(max(mel, 0) + log_floor); (x - mean) / std.
- result: float32 [C, n_mels, frames].
"""
from __future__ import annotations

import math
import struct
import wave
from typing import Optional

import numpy as np

SAMPLE_RATE = 16000
CLIP_SECONDS = 1.0
CLIPS = 3
SOUNDTRACK_CLIPS = 8
N_FFT = 400
WIN_LENGTH = 400
HOP = 160
N_MELS = 64
F_MIN = 0.0
F_MAX = 8000.0
LOG_FLOOR = 1e-6
AUDIO_TOKENS = 8
# Normalisation scalars: mean and std of the un-normalised log-mel of the training sound world
# (sound_world.feature_stats(300): -4.13, 4.17), rounded. Fixed here so every bundle and fixture agrees.
FEATURE_MEAN = -4.1
FEATURE_STD = 4.2


def frames_per_clip(clip_samples: int = int(CLIP_SECONDS * SAMPLE_RATE), n_fft: int = N_FFT, hop: int = HOP) -> int:
    return 1 + (clip_samples - n_fft) // hop


def hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_to_hz(m):
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


def mel_filters(sr: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS, f_min: float = F_MIN,
                f_max: float = F_MAX) -> np.ndarray:
    """[n_fft/2 + 1, n_mels] triangular HTK filters, peak 1 at their centre point, no area norm."""
    bins = n_fft // 2 + 1
    freqs = np.arange(bins, dtype=np.float64) * sr / n_fft
    pts = mel_to_hz(np.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2))
    diff = pts[1:] - pts[:-1]
    slopes = pts[None, :] - freqs[:, None]  # [bins, n_mels + 2]
    down = -slopes[:, :-2] / diff[:-1]
    up = slopes[:, 2:] / diff[1:]
    return np.maximum(0.0, np.minimum(down, up))


def hann_periodic(n: int = WIN_LENGTH) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(2.0 * math.pi * np.arange(n, dtype=np.float64) / n)


_FB = mel_filters()
_WIN = hann_periodic()


def clip_centres(duration: int, clips: int) -> list:
    """Clip i is centred at round-half-up((i + 0.5) * D / C), in samples (integer arithmetic: no float ties)."""
    return [((2 * i + 1) * duration + clips) // (2 * clips) for i in range(clips)]


def split_clips(samples: np.ndarray, clips: int, clip_samples: int = int(CLIP_SECONDS * SAMPLE_RATE)) -> np.ndarray:
    """[clips, clip_samples] float64, zeros where a clip reaches outside the sound."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    d = x.shape[0]
    out = np.zeros((clips, clip_samples), dtype=np.float64)
    half = clip_samples // 2
    for i, c in enumerate(clip_centres(d, clips)):
        a, b = c - half, c - half + clip_samples
        lo, hi = max(a, 0), min(b, d)
        if hi > lo:
            out[i, lo - a: hi - a] = x[lo:hi]
    return out


def log_mel_clip(clip: np.ndarray) -> np.ndarray:
    """One clip [L] -> un-normalised ln-mel [n_mels, frames] (float64)."""
    n = frames_per_clip(clip.shape[0])
    idx = np.arange(n)[:, None] * HOP + np.arange(N_FFT)[None, :]
    spec = np.fft.rfft(clip[idx] * _WIN[None, :], axis=-1)
    power = spec.real ** 2 + spec.imag ** 2  # [frames, bins]
    mel = power @ _FB  # [frames, n_mels]
    return np.log(np.maximum(mel, 0.0) + LOG_FLOOR).T


def raw_features(samples: np.ndarray, clips: int) -> np.ndarray:
    """[clips, n_mels, frames] un-normalised ln-mel (float64)."""
    return np.stack([log_mel_clip(c) for c in split_clips(samples, clips)])


def features(samples: np.ndarray, clips: int = CLIPS, mean: float = FEATURE_MEAN, std: float = FEATURE_STD) -> np.ndarray:
    """The encoder's input for one sound: float32 [clips, n_mels, frames]."""
    return ((raw_features(samples, clips) - mean) / std).astype(np.float32)


def audio_manifest(tokens: int = AUDIO_TOKENS, mean: float = FEATURE_MEAN, std: float = FEATURE_STD) -> dict:
    """The manifest's media.audio section (the contract's numbers, nothing else)."""
    return {"start": "<so_start>", "patch": "<so_patch>", "end": "<so_end>", "tokens": tokens,
            "sample_rate": SAMPLE_RATE, "clip_seconds": CLIP_SECONDS, "clips": CLIPS, "soundtrack_clips": SOUNDTRACK_CLIPS,
            "features": {"kind": "log-mel", "n_fft": N_FFT, "win_length": WIN_LENGTH, "hop_length": HOP,
                         "window": "hann-periodic", "center": False, "power": 2.0, "n_mels": N_MELS,
                         "f_min": F_MIN, "f_max": F_MAX, "mel_scale": "htk", "mel_norm": None,
                         "log": "ln", "log_floor": LOG_FLOOR, "mean": float(mean), "std": float(std),
                         "frames": frames_per_clip()}}


# ----------------------------------------------------------------------------------------------
# 16-bit PCM WAV, the recipe's file format for sounds (the TypeScript side decodes it with ffmpeg)

def to_pcm16(samples: np.ndarray) -> np.ndarray:
    x = np.clip(np.asarray(samples, dtype=np.float64), -1.0, 1.0)
    return np.round(x * 32767.0).astype("<i2")


def from_pcm16(pcm: np.ndarray) -> np.ndarray:
    """What ffmpeg's `-f f32le` gives for 16-bit PCM: value / 32768."""
    return (np.asarray(pcm, dtype=np.float64) / 32768.0).astype(np.float32)


def write_wav(path: str, samples: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Writes mono 16-bit PCM; returns the float32 samples a decoder reads back from it."""
    pcm = to_pcm16(samples)
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.tobytes())
    return from_pcm16(pcm)


def read_wav(path: str) -> np.ndarray:
    """Mono 16-bit PCM WAV at 16 kHz -> float32 in [-1, 1) (the only WAV the recipe writes)."""
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1 or w.getframerate() != SAMPLE_RATE:
            raise ValueError(f"{path}: expected mono 16-bit PCM at {SAMPLE_RATE} Hz")
        raw = w.readframes(w.getnframes())
    return from_pcm16(np.frombuffer(raw, dtype="<i2"))


def decode_ffmpeg(path: str, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Any audio or a video's soundtrack -> mono float32 at 16 kHz, the way the TypeScript side decodes it."""
    import subprocess
    raw = subprocess.run(["ffmpeg", "-loglevel", "error", "-i", path, "-vn", "-ac", "1", "-ar", str(sr),
                          "-f", "f32le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype="<f4").copy()
