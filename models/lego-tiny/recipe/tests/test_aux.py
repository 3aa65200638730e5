"""Training-only grid heads (aux.py): the labels point at the right tokens, and the loss trains."""
import unittest

import torch

from aux import NONE_COLOUR, NONE_KIND, AuxHeads, batch_labels, grid_labels
from world import COLOUR_NAMES, KINDS, lego_box


def scene(shapes, w=800, h=400):
    return {"w": w, "h": h, "shapes": shapes}


def shape(colour, kind, cx, cy, r):
    return {"colour": colour, "kind": kind, "cx": cx, "cy": cy, "r": r, "rot": 0.0}


class AuxLabelsTest(unittest.TestCase):
    def test_tokens_inside_a_box_get_its_colour_kind_and_box_and_the_top_shape_wins(self):
        low = shape("red", "star", 200, 200, 150)
        top = shape("blue", "circle", 300, 200, 90)  # drawn later: on top where they overlap
        sc = scene([low, top])
        colour, kind, box, target = grid_labels(sc, top, 8)
        b_top = lego_box(top, sc["w"], sc["h"])
        centres = [((j + 0.5) / 8, (i + 0.5) / 8) for i in range(8) for j in range(8)]
        seen_top = seen_low = 0
        for t, (x, y) in enumerate(centres):
            in_top = b_top[0] <= x <= b_top[2] and b_top[1] <= y <= b_top[3]
            if in_top:
                seen_top += 1
                self.assertEqual(COLOUR_NAMES[colour[t]], "blue")
                self.assertEqual(KINDS[kind[t]], "circle")
                self.assertEqual(list(box[t]), [round(v * 1000) for v in b_top])
                self.assertEqual(target[t], 1.0)
            elif colour[t] != NONE_COLOUR:
                seen_low += 1
                self.assertEqual(COLOUR_NAMES[colour[t]], "red")
                self.assertEqual(target[t], 0.0)
            else:
                self.assertEqual(kind[t], NONE_KIND)
                self.assertEqual(list(box[t]), [-1, -1, -1, -1])
        self.assertGreater(seen_top, 0)
        self.assertGreater(seen_low, 0)

    def test_no_question_target_marks_nothing(self):
        sc = scene([shape("green", "heart", 400, 200, 100)])
        _, _, _, target = grid_labels(sc, None, 8)
        self.assertEqual(float(target.sum()), 0.0)

    def test_the_heads_learn_a_fixed_batch(self):
        torch.manual_seed(0)
        sc = scene([shape("green", "heart", 300, 150, 100), shape("pink", "cross", 600, 250, 80)])
        labels = batch_labels([sc, sc], [sc["shapes"][0], None], 8)
        grid = torch.randn(2, 64, 128)
        fused = torch.randn(2, 64, 128)
        coord = torch.randn(1001, 128) * 0.1
        heads = AuxHeads(128)
        opt = torch.optim.Adam(heads.parameters(), lr=1e-2)
        first = None
        for _ in range(150):
            loss, parts = heads.loss(grid, fused, labels, coord, sigma=8.0, pick=1.0)
            first = first if first is not None else parts
            opt.zero_grad()
            loss.backward()
            opt.step()
        self.assertEqual(set(parts), {"colour", "kind", "box", "mark", "pick"})
        for k in ("colour", "kind", "mark", "pick"):
            self.assertLess(parts[k], 0.2 * first[k], k)
        self.assertLess(parts["box"], first["box"] - 1.0)  # toward the soft labels' own entropy (~3.5)


if __name__ == "__main__":
    unittest.main()
