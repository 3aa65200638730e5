"""The synthetic world: deterministic for a seed, and every box in an answer encloses its shape."""
import json
import random
import unittest

import numpy as np

import dialogue
from world import (KINDS, fmt_box, from_padded, lego_box, make_clip, make_scene, render_scene, shape_mask,
                   to_padded)


class WorldTest(unittest.TestCase):
    def test_same_seed_same_scene_pixels_and_conversation(self):
        for seed in (1, 77, 4242):
            a, b = make_scene(seed), make_scene(seed)
            self.assertEqual(json.dumps(a, sort_keys=True), json.dumps(b, sort_keys=True))
            small = 200 / max(a["w"], a["h"])
            self.assertTrue(np.array_equal(np.asarray(render_scene(a, small)), np.asarray(render_scene(b, small))))
            ca = dialogue.image_conversation(random.Random(seed), a, turns=3)
            cb = dialogue.image_conversation(random.Random(seed), b, turns=3)
            self.assertEqual([t["assistant"] for t in ca], [t["assistant"] for t in cb])
        self.assertNotEqual(json.dumps(make_scene(1)), json.dumps(make_scene(2)))
        self.assertEqual(json.dumps(make_clip(5), sort_keys=True), json.dumps(make_clip(5), sort_keys=True))

    def test_boxes_enclose_rendered_pixels_in_all_aspect_ratios(self):
        sizes = [(900, 300), (300, 900), (640, 640), (1280, 427), (160, 480), (777, 555)]
        checked = 0
        for i, size in enumerate(sizes):
            for seed in range(4):
                sc = make_scene(1000 * i + seed, size=size)
                w, h = sc["w"], sc["h"]
                for s in sc["shapes"]:
                    mask = np.asarray(shape_mask(sc, s)) >= 128  # pixels at least half covered
                    ys, xs = np.nonzero(mask)
                    if len(xs) == 0:
                        continue
                    X1, Y1, X2, Y2 = from_padded(lego_box(s, w, h), w, h)
                    # a covered pixel [x, x+1) lies inside the box (1 px of slack for anti-aliasing)
                    self.assertGreaterEqual(xs.min() + 1, X1 - 1e-6, (size, s))
                    self.assertGreaterEqual(ys.min() + 1, Y1 - 1e-6, (size, s))
                    self.assertLessEqual(xs.max(), X2 + 1e-6, (size, s))
                    self.assertLessEqual(ys.max(), Y2 + 1e-6, (size, s))
                    # and the box is tight: the shape's pixels reach within 2 px of every side
                    self.assertLess(xs.min() - X1, 2.5)
                    self.assertLess(X2 - (xs.max() + 1), 2.5)
                    checked += 1
        self.assertGreater(checked, 40)

    def test_answers_use_lego_frame_and_decimals(self):
        sc = make_scene(31, size=(1000, 250))
        s = sc["shapes"][0]
        b = lego_box(s, 1000, 250)
        text = fmt_box(b)
        self.assertRegex(text, r"^\[\d\.\d{3}, \d\.\d{3}, \d\.\d{3}, \d\.\d{3}\]$")
        # padded frame: a 4:1 image occupies the middle quarter of the square vertically
        self.assertGreaterEqual(b[1], 0.375 - 1e-3)
        self.assertLessEqual(b[3], 0.625 + 1e-3)
        back = to_padded(from_padded(b, 1000, 250), 1000, 250)
        for u, v in zip(b, back):
            self.assertAlmostEqual(u, v, places=6)

    def test_every_kind_and_task_appears(self):
        rng = random.Random(3)
        kinds, tasks = set(), set()
        for seed in range(300):
            sc = make_scene(seed)
            kinds |= {s["kind"] for s in sc["shapes"]}
            for t in dialogue.image_conversation(rng, sc, turns=3):
                tasks.add(t["task"])
        self.assertEqual(kinds, set(KINDS))
        self.assertEqual(tasks, set(dialogue.IMAGE_TASKS) | {"follow"})

    def test_counting_speaks_english_plurals(self):
        rng = random.Random(5)
        seen = []
        for seed in range(400):
            for t in dialogue.image_conversation(rng, make_scene(seed), first="count", turns=1):
                seen.append(t["human"] + " " + t["assistant"])
        text = " ".join(seen)
        self.assertIn("crosses", text)
        self.assertNotIn("crosss", text)
        self.assertIn("circles", text)

    def test_clip_spans_are_fractions_with_two_decimals(self):
        rng = random.Random(9)
        for seed in range(50):
            cl = make_clip(seed)
            for t in dialogue.video_conversation(rng, cl, first="when", turns=1):
                s = t["truth"]["span"]
                self.assertTrue(0.0 <= s[0] < s[1] <= 1.0)
                self.assertRegex(t["assistant"], r"\{\d\.\d\d, \d\.\d\d\}")


if __name__ == "__main__":
    unittest.main()
