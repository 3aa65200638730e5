"""evaluate.py --inputs reads the pixels the TypeScript pipeline prepared (`lego eval --save-inputs`)
exactly, and refuses a file of the wrong size or a missing one with a message."""
import os
import tempfile
import unittest

import numpy as np

from evaluate import load_prepared
from model import Config


class LoadPreparedTest(unittest.TestCase):
    def setUp(self):
        self.cfg = Config(vocab_size=50, image_size=24, frame_size=12, video_frames=4)
        self.dir = tempfile.mkdtemp()

    def write(self, name, arr):
        path = os.path.join(self.dir, name)
        arr.astype("<f4").tofile(path)
        return path

    def test_image_and_video_round_trip(self):
        img = np.random.default_rng(0).standard_normal((3, 24, 24)).astype(np.float32)
        vid = np.random.default_rng(1).standard_normal((4, 3, 12, 12)).astype(np.float32)
        self.assertTrue(np.array_equal(load_prepared(self.write("a.png.f32", img), "image", self.cfg).numpy(), img))
        self.assertTrue(np.array_equal(load_prepared(self.write("b.mp4.f32", vid), "video", self.cfg).numpy(), vid))

    def test_wrong_size_and_missing_files_are_refused(self):
        bad = self.write("c.png.f32", np.zeros(10, np.float32))
        with self.assertRaises(SystemExit) as e:
            load_prepared(bad, "image", self.cfg)
        self.assertIn("expected (3, 24, 24)", str(e.exception))
        with self.assertRaises(SystemExit) as e:
            load_prepared(os.path.join(self.dir, "nope.f32"), "video", self.cfg)
        self.assertIn("--save-inputs", str(e.exception))


if __name__ == "__main__":
    unittest.main()
