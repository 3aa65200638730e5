import contextlib
import io
import json
import os
import tempfile
import unittest

from PIL import Image

import plot_stages


class PlotStagesTest(unittest.TestCase):
    def test_bars_are_as_long_as_the_values(self):
        with tempfile.TemporaryDirectory() as d:
            paths = []
            for i, refer in enumerate((0.5, 0.8)):
                paths.append(os.path.join(d, f"m{i}.json"))
                with open(paths[-1], "w") as fh:
                    json.dump({"metrics": {"refer_acc50": refer, "region_acc": 0.25}}, fh)
            out = os.path.join(d, "stages.png")
            plot_stages.main(["--run", f"a={paths[0]}", "--run", f"b={paths[1]}", "--out", out])
            img = Image.open(out).convert("RGB")
            row_h = plot_stages.row_height(2)
            y0 = plot_stages.TOP + plot_stages.LEGEND_H  # first row: referring (a metric with a target)
            self.assertEqual(plot_stages.ROWS[0][0], "refer_acc50")

            def bar_end(y):
                x = plot_stages.LABEL_W
                while img.getpixel((x + 1, y)) not in ((255, 255, 255), (0, 0, 0)) and x < img.width - 2:
                    x += 1
                return x - plot_stages.LABEL_W

            # run a: 50 % of the bar length, run b: 80 %
            self.assertAlmostEqual(bar_end(y0 + 4 + 8), 0.5 * plot_stages.BAR_W, delta=2)
            self.assertAlmostEqual(bar_end(y0 + 4 + 18 + 8), 0.8 * plot_stages.BAR_W, delta=2)
            self.assertEqual(img.getpixel((plot_stages.LABEL_W + 2, y0 + 4 + 8)), plot_stages.PALETTE[0])
            self.assertEqual(img.getpixel((plot_stages.LABEL_W + 2, y0 + 4 + 18 + 8)), plot_stages.PALETTE[1])
            # region: 25 % in the second row
            self.assertAlmostEqual(bar_end(y0 + row_h + 4 + 8), 0.25 * plot_stages.BAR_W, delta=2)

    def test_more_runs_than_colours_are_refused(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.json")
            with open(path, "w") as fh:
                json.dump({"metrics": {"refer_acc50": 0.5}}, fh)
            runs = [a for i in range(len(plot_stages.PALETTE) + 1) for a in ("--run", f"r{i}={path}")]
            err = io.StringIO()
            with contextlib.redirect_stderr(err), self.assertRaises(SystemExit):
                plot_stages.main(runs + ["--out", os.path.join(d, "x.png")])
            self.assertIn(f"at most {len(plot_stages.PALETTE)} runs", err.getvalue())

    def test_a_missing_metrics_file_is_a_clear_error(self):
        with self.assertRaises(SystemExit) as e:
            plot_stages.main(["--run", "a=/nonexistent/metrics.json", "--out", "/tmp/x.png"])
        self.assertIn("cannot read metrics from /nonexistent/metrics.json", str(e.exception.code))


if __name__ == "__main__":
    unittest.main()
