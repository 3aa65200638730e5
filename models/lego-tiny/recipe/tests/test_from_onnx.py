"""from_onnx.py rebuilds a bundle's PyTorch model from its ONNX files alone: the rebuilt model gives the
bundle's reference generations token for token and onnxruntime's logits, and trains on from there."""
import json
import os
import shutil
import unittest

import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
TEST_BUNDLE = os.path.join(ROOT, "models", "test-bundle")


@unittest.skipUnless(shutil.which("node") and os.path.isdir(os.path.join(ROOT, "node_modules", "onnxruntime-node")),
                     "node with onnxruntime-node is needed (npm ci)")
class FromOnnxTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import from_onnx
        cls.model, cls.cfg, cls.man = from_onnx.rebuild(TEST_BUNDLE)
        cls.diff = from_onnx.check(cls.model, TEST_BUNDLE)

    def test_matches_onnxruntime(self):
        self.assertTrue(self.diff["logit_argmax_equal"])
        for key in ("logits", "image", "video", "audio"):  # the test bundle has an audio encoder that reads the query
            self.assertLess(self.diff[key], 1e-3, key)

    def test_reproduces_the_reference_generations(self):
        from export import generate
        from tokenizer import Tokenizer
        tok = Tokenizer.load(os.path.join(TEST_BUNDLE, "tokenizer.json"))
        with open(os.path.join(TEST_BUNDLE, "reference.json")) as f:
            ref = json.load(f)
        for c in ref["cases"] + ref.get("audio_cases", []):
            px = None
            if c["media"] is not None:
                px = torch.from_numpy(np.fromfile(os.path.join(TEST_BUNDLE, c["media"]["tensor"]), dtype="<f4")
                                      .reshape(c["media"]["shape"]).copy())
            audio = None
            if c.get("audio"):
                audio = torch.from_numpy(np.fromfile(os.path.join(TEST_BUNDLE, c["audio"]["tensor"]), dtype="<f4")
                                         .reshape(c["audio"]["shape"]).copy())
            turns = []
            for t in c["turns"]:
                if t["role"] == "user":
                    turns.append({"human": t["text"]})
                else:
                    turns[-1]["assistant"] = t["text"]
            g = generate(self.model, tok, turns, c["media"]["kind"] if c["media"] else None, px, c["max_new_tokens"],
                         audio=audio)
            self.assertEqual(g["output_ids"], c["output_ids"], c["name"])

    def test_batchnorm_is_an_identity_that_training_keeps(self):
        # the stem's BatchNorm was folded into its convs: eval mode must leave the conv output as is
        bn = [m for m in self.model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
        self.assertTrue(bn)
        x = torch.randn(2, bn[0].num_features, 3, 3)
        self.assertLess(float((bn[0].eval()(x) - x).abs().max()), 1e-4)


if __name__ == "__main__":
    unittest.main()
