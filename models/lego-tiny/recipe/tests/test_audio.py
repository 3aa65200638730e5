"""audio_features.py implements the audio contract (docs/bundle-format.md), and the committed fixtures
that the TypeScript parity test reads are what it computes; the sound world makes kinds and colours
tellable apart."""
import json
import os
import random
import tempfile
import unittest

import numpy as np
import torch

import audio_features as af
import sound_world as sw
from make_audio_fixtures import CASES, FIXTURES


class FeaturesTest(unittest.TestCase):
    def test_clip_centres_and_zero_padding(self):
        self.assertEqual(af.clip_centres(16000, 3), [2667, 8000, 13333])
        self.assertEqual(af.clip_centres(5, 2), [1, 4])  # 1.25 -> 1, 3.75 -> 4
        self.assertEqual(af.clip_centres(3, 2), [1, 2])  # 0.75 -> 1, 2.25 -> 2 (half up: 2.5 -> 3 would be wrong)
        self.assertEqual(af.clip_centres(1, 2), [0, 1])  # 0.25 -> 0, 0.75 -> 1
        self.assertEqual(af.clip_centres(2, 4), [0, 1, 1, 2])  # 0.25, 0.75, 1.25, 1.75
        self.assertEqual(af.clip_centres(4, 8), [0, 1, 1, 2, 2, 3, 3, 4])  # 0.5 -> 1 (half up), 1.5 -> 2, ...
        x = np.arange(1, 101, dtype=np.float64)
        clips = af.split_clips(x, 2, clip_samples=10)
        self.assertEqual(clips.shape, (2, 10))
        c0 = af.clip_centres(100, 2)[0]  # 25
        self.assertTrue(np.array_equal(clips[0], x[c0 - 5: c0 + 5]))
        short = af.split_clips(np.ones(4), 1, clip_samples=10)  # centred at 2: samples [-3, 7)
        self.assertTrue(np.array_equal(short[0], [0, 0, 0, 1, 1, 1, 1, 0, 0, 0]))

    def test_shapes_and_manifest_numbers(self):
        self.assertEqual(af.frames_per_clip(), 98)
        f = af.features(np.zeros(24000, np.float32), 3)
        self.assertEqual(f.shape, (3, 64, 98))
        self.assertEqual(f.dtype, np.float32)
        self.assertTrue(np.allclose(f, (np.log(1e-6) - af.FEATURE_MEAN) / af.FEATURE_STD))
        man = af.audio_manifest()
        self.assertEqual(man["features"]["frames"], 98)
        self.assertEqual((man["clips"], man["soundtrack_clips"], man["tokens"]), (3, 8, 8))

    def test_spectrum_matches_torch_stft_and_filters_are_htk_triangles(self):
        rng = np.random.default_rng(0)
        clip = rng.standard_normal(16000)
        S = torch.stft(torch.tensor(clip), 400, 160, 400, torch.hann_window(400, periodic=True, dtype=torch.float64),
                       center=False, return_complex=True).abs() ** 2
        mine = np.log(np.maximum(S.numpy().T @ af.mel_filters(), 0) + 1e-6).T
        self.assertLess(np.abs(af.log_mel_clip(clip) - mine).max(), 1e-9)
        fb = af.mel_filters()
        self.assertEqual(fb.shape, (201, 64))
        self.assertLessEqual(fb.max(), 1.0)
        self.assertTrue((fb.sum(0) > 0).all())  # no empty filter
        # a pure tone at a filter's centre frequency lights that filter most
        pts = af.mel_to_hz(np.linspace(af.hz_to_mel(0), af.hz_to_mel(8000), 66))
        m = 40
        tone = np.sin(2 * np.pi * pts[m + 1] * np.arange(16000) / 16000)
        self.assertEqual(int(af.log_mel_clip(tone).mean(1).argmax()), m)

    def test_wav_round_trip_is_int16_over_32768(self):
        x = np.array([0.0, 0.5, -0.5, 1.0, -1.0], np.float64)
        with tempfile.TemporaryDirectory() as d:
            back = af.write_wav(os.path.join(d, "a.wav"), x)
            self.assertTrue(np.array_equal(back, af.read_wav(os.path.join(d, "a.wav"))))
        self.assertEqual(list(af.to_pcm16(x)), [0, 16384, -16384, 32767, -32767])
        self.assertAlmostEqual(float(back[3]), 32767 / 32768)

    def test_committed_fixtures_are_what_the_code_computes(self):
        with open(os.path.join(FIXTURES, "audio-fixtures.json")) as f:
            index = json.load(f)
        self.assertEqual(index["audio"], af.audio_manifest())
        self.assertEqual([c["name"] for c in index["cases"]], [c[0] for c in CASES])
        for case, (_, make, clips) in zip(index["cases"], CASES):
            samples = af.read_wav(os.path.join(FIXTURES, case["wav"]))
            self.assertEqual(samples.shape[0], case["samples"])
            self.assertTrue(np.array_equal(af.to_pcm16(sw.samples(make())), af.to_pcm16(samples)), case["name"])
            want = np.fromfile(os.path.join(FIXTURES, case["features"]), dtype="<f4").reshape(case["shape"])
            self.assertEqual(case["shape"], [clips, 64, 98])
            self.assertLess(np.abs(af.features(samples, clips) - want).max(), 1e-6, case["name"])


class SoundWorldTest(unittest.TestCase):
    def test_deterministic_and_within_range(self):
        a, b = sw.make_sound(5), sw.make_sound(5)
        self.assertEqual(a, b)
        x = sw.samples(a)
        self.assertTrue(np.array_equal(x, sw.samples(b)))
        self.assertEqual(x.shape[0], round(a["duration"] * 16000))
        self.assertLessEqual(np.abs(x).max(), 1.0)
        # rendering a window equals cutting it from the whole sound
        self.assertLess(np.abs(sw.render(a, 1000, 3000) - x[1000:4000]).max(), 1e-12)
        self.assertTrue(np.array_equal(sw.render(a, -50, 100)[:50], np.zeros(50)))
        self.assertLess(np.abs(sw.sound_features(a, 3) - af.features(x, 3)).max(), 1e-4)

    def test_kinds_and_colours_are_tellable_apart(self):
        # nearest centroid on z-scored summaries of the features (other draws of noise, level and
        # detune): with the colour fixed the timbre tells the kind, with the kind fixed the pitch and
        # rhythm tell the colour -- far above chance (1/8, 1/12) even for this crude classifier
        from world import COLOUR_NAMES, KINDS

        def feat(seed, c, k):
            f = sw.sound_features(sw.make_sound(seed, c, k, 1.5), 3)
            f = f - f.max()  # the level is an offset in the log domain
            return np.concatenate([f.max(2).ravel(), f.std(2).ravel(), np.abs(np.diff(f, axis=2)).mean(2).ravel()])

        for labels, key, fixed, floor in ((KINDS, "kind", "red", 0.45), (COLOUR_NAMES, "colour", "square", 0.8)):
            train = {}
            for lab in labels:
                c, k = (lab, fixed) if key == "colour" else (fixed, lab)
                train[lab] = [feat(1000 + 37 * j + labels.index(lab), c, k) for j in range(5)]
            allx = np.concatenate([np.stack(v) for v in train.values()])
            mu, sd = allx.mean(0), allx.std(0) + 1e-3
            cents = {lab: ((np.stack(v) - mu) / sd).mean(0) for lab, v in train.items()}
            hits = n = 0
            for lab in labels:
                for j in range(3):
                    c, k = (lab, fixed) if key == "colour" else (fixed, lab)
                    v = (feat(5000 + 11 * j + labels.index(lab), c, k) - mu) / sd
                    best = min(cents, key=lambda L: np.linalg.norm(cents[L] - v))
                    hits += best == lab
                    n += 1
            self.assertGreater(hits / n, floor, key)

    def test_soundtrack_events_are_spans_of_the_clip(self):
        tr = sw.make_soundtrack(3, 12.5, [("red", "star"), ("blue", "cross")])
        for e in sw.event_spans(tr):
            self.assertTrue(0 <= e["span"][0] < e["span"][1] <= 1)
            self.assertGreaterEqual(e["span"][1] - e["span"][0], 0.19)
        self.assertEqual(sw.sound_features(tr, 8).shape, (8, 64, 98))


if __name__ == "__main__":
    unittest.main()


class SoundRowsTest(unittest.TestCase):
    def test_sound_rows_have_the_documented_shape(self):
        import shutil
        import time
        import evalset
        d = tempfile.mkdtemp()
        try:
            for sub in ("images", "videos", "audio"):
                os.makedirs(os.path.join(d, sub))
            rows = evalset.build_sound(d, random.Random(1), {"sound_source": 1, "sound_locate": 1, "sound_span": 1},
                                       evalset.EVAL_SEED, time.time())
            by = {r["task"]: r for r in rows}
            self.assertIsNone(by["sound_source"]["media"])
            self.assertEqual(by["sound_locate"]["media"]["kind"], "image")
            self.assertEqual(by["sound_span"]["media"]["kind"], "video")
            self.assertEqual(by["sound_span"]["audio"]["file"], by["sound_span"]["media"]["file"])
            self.assertTrue(by["sound_span"]["audio"]["soundtrack"])
            self.assertEqual([by[t]["audio"]["clips"] for t in ("sound_source", "sound_locate", "sound_span")], [3, 3, 8])
            for r in rows:
                self.assertIn(r["template"], ("seen", "held-out"))
                self.assertTrue(os.path.exists(os.path.join(d, r["audio"]["file"])))
                if r["media"]:
                    self.assertTrue(os.path.exists(os.path.join(d, r["media"]["file"])))
            self.assertEqual(set(by["sound_locate"]["truth"]), {"box", "label"})
            self.assertEqual(set(by["sound_span"]["truth"]), {"span", "label"})
            # the soundtrack in the MP4 decodes to about the clip's length at 16 kHz
            x = af.decode_ffmpeg(os.path.join(d, by["sound_span"]["audio"]["file"]))
            self.assertLess(abs(x.shape[0] / 16000 - by["sound_span"]["media"]["duration"]), 0.2)
        finally:
            shutil.rmtree(d, ignore_errors=True)
