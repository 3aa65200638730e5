"""A freshly initialised small model exported to ONNX matches PyTorch's logits within 1e-4, with and
without a past cache (run through onnxruntime-node, the runtime the product uses)."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import numpy as np
import onnx
import torch

from export import random_test_model, write_bundle
from train import trained_for

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
RUNNER = os.path.join(os.path.dirname(__file__), "onnx_logits.js")


@unittest.skipUnless(shutil.which("node") and os.path.isdir(os.path.join(ROOT, "node_modules", "onnxruntime-node")),
                     "node with onnxruntime-node is needed (npm ci)")
class ExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="lego-export-test-")
        cls.model, cls.tok = random_test_model(seed=11)
        cls.bundle = os.path.join(cls.dir, "bundle")
        write_bundle(cls.model, cls.tok, cls.bundle, "test", "test", 6)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def run_onnx(self, case):
        path = os.path.join(self.dir, "case.json")
        with open(path, "w") as f:
            json.dump(case, f)
        out = subprocess.run(["node", RUNNER, self.bundle, path], capture_output=True, text=True, cwd=ROOT, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout)

    def test_logits_match_with_and_without_past(self):
        cfg = self.model.cfg
        g = torch.Generator().manual_seed(0)
        emb = torch.randn(1, 9, cfg.d_model, generator=g)
        with torch.no_grad():
            full, _ = self.model.decode(emb, torch.ones((1, 9), dtype=torch.long), torch.arange(9)[None])
            _, past = self.model.decode(emb[:, :6], torch.ones((1, 6), dtype=torch.long), torch.arange(6)[None])
            step, _ = self.model.decode(emb[:, 6:], torch.ones((1, 9), dtype=torch.long), torch.arange(6, 9)[None], past)
        res = self.run_onnx({"embeds": emb.flatten().tolist(), "t": 9, "split": 6})
        no_past = np.array(res["full"]).reshape(full.shape)
        with_past = np.array(res["step"]).reshape(step.shape)
        self.assertLess(np.abs(no_past - full.numpy()).max(), 1e-4)
        self.assertLess(np.abs(with_past - step.numpy()).max(), 1e-4)
        # the cached path agrees with the uncached one too
        self.assertLess(np.abs(with_past - no_past[:, 6:]).max(), 1e-4)
        # present_step.* is exactly the call's own part of present.*, and a cache kept in a larger
        # buffer with its unused slots masked out (the engine's way) gives the same logits
        self.assertEqual(res["stepTail"], 0.0)
        slot = np.array(res["slot"]).reshape(step.shape)
        # (float32 noise only: relative to the logits' size, which the random bundle's large weights make ~10)
        self.assertLess(np.abs(slot - with_past).max(), 1e-5 * max(1.0, float(np.abs(with_past).max())))

    def test_audio_encoder_matches_pytorch_for_sounds_and_soundtracks(self):
        g = torch.Generator().manual_seed(1)
        items, want = [], []
        cfg = self.model.cfg
        for clips in (3, 8, 1):  # a sound, a soundtrack, and the clip count is free
            x = torch.randn(1, clips, 64, 98, generator=g)
            q = torch.randint(0, cfg.vocab_size, (1, 5), generator=g)  # the question the sound tokens read (v2.1)
            with torch.no_grad():
                want.append(self.model.encode_audio(x, q, torch.ones_like(q)).numpy())
            items.append({"clips": clips, "values": x.flatten().tolist(), "query": q.flatten().tolist()})
        path = os.path.join(self.dir, "audio.json")
        with open(path, "w") as f:
            json.dump({"items": items}, f)
        out = subprocess.run(["node", os.path.join(os.path.dirname(__file__), "onnx_audio.js"), self.bundle, path],
                             capture_output=True, text=True, cwd=ROOT, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        for got, ref in zip(json.loads(out.stdout), want):
            self.assertEqual(got["dims"], list(ref.shape))
            scale = max(1.0, float(np.abs(ref).max()))
            self.assertLess(np.abs(np.array(got["values"]).reshape(ref.shape) - ref).max() / scale, 1e-4)

    def test_the_sound_tokens_read_the_question(self):
        # "when is the red star heard?": the soundtrack's tokens must differ with the question, as video frames do
        cfg = self.model.cfg
        self.assertTrue(cfg.sound_fusion)
        g = torch.Generator().manual_seed(2)
        x = torch.randn(1, 8, 64, 98, generator=g)
        q1, q2 = (torch.randint(0, cfg.vocab_size, (1, 6), generator=g) for _ in range(2))
        with torch.no_grad():
            a, b = (self.model.encode_audio(x, q, torch.ones_like(q)) for q in (q1, q2))
        self.assertGreater((a - b).abs().max().item(), 1e-3)

    def test_manifest_audio_section_is_the_contract(self):
        import audio_features as af
        with open(os.path.join(self.bundle, "manifest.json")) as f:
            man = json.load(f)
        self.assertEqual(man["files"]["audio_encoder"], "onnx/audio_encoder.onnx")
        self.assertEqual(man["media"]["audio"], af.audio_manifest(self.model.cfg.audio_tokens))
        with open(os.path.join(self.bundle, "reference.json")) as f:
            ref = json.load(f)
        self.assertEqual({c["media"]["kind"] for c in ref["cases"]}, {"image", "video"})
        self.assertEqual([c["name"] for c in ref["audio_cases"]],
                         ["audio-sound_source-1turn", "audio-sound_locate-1turn", "audio-sound_span-1turn"])
        for c in ref["audio_cases"]:
            samples = af.read_wav(os.path.join(self.bundle, c["audio"]["source"]))
            feats = np.fromfile(os.path.join(self.bundle, c["audio"]["tensor"]), dtype="<f4").reshape(c["audio"]["shape"])
            self.assertTrue(np.array_equal(feats, af.features(samples, c["audio"]["clips"])))
            n = self.model.cfg.audio_tokens
            self.assertIn("<so_start>" + "<so_patch>" * n + "<so_end>\n", c["prompt"])

    def test_the_manifest_counts_every_stage_of_training(self):
        one_run = {"minutes": 88.0, "seen": 220032}
        later_stage = {"minutes": 24.0, "seen": 67904, "prior_minutes": 266.1, "prior_seen": 710112}
        self.assertEqual((trained_for(one_run)["minutes"], trained_for(one_run)["seen"]), (88.0, 220032))
        trained = trained_for(later_stage)
        self.assertAlmostEqual(trained["minutes"], 290.1)
        self.assertEqual(trained["seen"], 778016)

    def test_bundle_files_and_manifest(self):
        with open(os.path.join(self.bundle, "manifest.json")) as f:
            man = json.load(f)
        for key, rel in man["files"].items():
            if rel:
                self.assertTrue(os.path.exists(os.path.join(self.bundle, rel)), rel)
        self.assertEqual(man["media"]["image"]["tokens"], self.model.cfg.image_grid ** 2)
        self.assertEqual(man["decoder"]["num_layers"], self.model.cfg.n_layers)

    def test_decoder_reshapes_need_no_shape_lookups(self):
        # every Reshape target is a constant (batch copied with 0): no per-step Shape/Gather/Concat
        m = onnx.load(os.path.join(self.bundle, "onnx", "decoder_model_merged.onnx"))
        consts = {t.name for t in m.graph.initializer} | {o for n in m.graph.node if n.op_type == "Constant" for o in n.output}
        reshapes = [n for n in m.graph.node if n.op_type == "Reshape"]
        self.assertGreater(len(reshapes), 0)
        self.assertEqual([n.name for n in reshapes if n.input[1] not in consts], [])

    def test_failed_export_keeps_the_good_bundle(self):
        before = sorted(os.listdir(self.bundle))
        with self.assertRaises(Exception):
            write_bundle(self.model, self.tok, self.bundle, "test", "test", 6, extra_files={"x.bin": "/nonexistent"})
        self.assertEqual(sorted(os.listdir(self.bundle)), before)
        self.assertFalse([n for n in os.listdir(self.dir) if n.startswith(".export-")])


if __name__ == "__main__":
    unittest.main()
