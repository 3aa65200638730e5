"""Held-out accuracy after each training stage, as one picture (bars per metric, the targets marked).

    python3 plot_stages.py --run "88 min=work/eval-stage-1/metrics.json" --run "138 min=..." --out stages.png

Each metrics.json is what `npm run lego -- eval --out DIR` or `npm run model:train -- eval` writes.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from PIL import Image, ImageDraw, ImageFont

from metrics import METRICS

# the metrics with a target first, then the rest, in metrics.py's order
ROWS = [m for m in METRICS if m[2] is not None] + [m for m in METRICS if m[2] is None]
LABEL_W, BAR_W, TOP, LEGEND_H = 380, 560, 44, 26  # the bars start at LABEL_W; 100 % is BAR_W long
# the DejaVu Sans the renderer ships (src/render/fonts.ts), so the picture does not depend on system fonts
FONT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "assets", "fonts", "DejaVuSans.ttf")
# light to dark, one colour per run (a repeated colour would make two runs look like one)
PALETTE = [(190, 196, 204), (140, 170, 210), (90, 135, 200), (40, 90, 170), (20, 50, 110), (220, 120, 40)]


def row_height(n_runs: int) -> int:
    """One metric's band: a bar (15 px) every 18 px per run, and a margin."""
    return 18 * n_runs + 14


def draw(runs: list, out: str) -> None:
    f, small = ImageFont.truetype(FONT, 15), ImageFont.truetype(FONT, 12)
    label_w, bar_w, top, legend_h = LABEL_W, BAR_W, TOP, LEGEND_H
    row_h, bar_h = row_height(len(runs)), 15
    width = label_w + bar_w + 80
    height = top + legend_h + row_h * len(ROWS) + 30
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    d.text((12, 10), "lego-tiny, held-out split: accuracy after each training stage (| = target)", fill="black", font=f)
    x = label_w
    for i, (name, _) in enumerate(runs):
        colour = PALETTE[i % len(PALETTE)]
        d.rectangle([x, top, x + 14, top + 14], fill=colour)
        d.text((x + 20, top), name, fill="black", font=small)
        x += 30 + int(d.textlength(name, font=small))
    y0 = top + legend_h
    for r, (key, label, target) in enumerate(ROWS):
        y = y0 + r * row_h
        d.text((12, y + row_h // 2 - 9), label, fill="black", font=f)
        if target is not None:  # under the bars' numbers, so a value at its target stays readable
            tx = label_w + int(bar_w * target)
            d.line([tx, y + 1, tx, y + row_h - 6], fill=(200, 30, 30), width=3)
        for i, (_, metrics) in enumerate(runs):
            v = metrics.get(key)
            if v is None:
                continue
            by = y + 4 + i * 18
            d.rectangle([label_w, by, label_w + int(bar_w * v), by + bar_h], fill=PALETTE[i % len(PALETTE)])
            d.text((label_w + int(bar_w * v) + 6, by + 1), f"{100 * v:.1f}", fill="black", font=small)
        d.line([label_w, y + row_h - 3, label_w + bar_w, y + row_h - 3], fill=(230, 230, 230))
    for v in (0.0, 0.5, 1.0):
        x = label_w + int(bar_w * v)
        d.text((x - 8, height - 24), f"{int(100 * v)} %", fill=(90, 90, 90), font=small)
    tmp = out + ".tmp.png"
    img.save(tmp)
    os.replace(tmp, out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", action="append", required=True, metavar="LABEL=METRICS.JSON")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    runs = []
    for spec in args.run:
        name, sep, path = spec.partition("=")
        if not sep or not name:
            ap.error(f"--run {spec!r}: expected LABEL=path/to/metrics.json")
        try:
            with open(path) as fh:
                runs.append((name, json.load(fh)["metrics"]))
        except (OSError, ValueError, KeyError) as e:
            sys.exit(f"plot_stages: cannot read metrics from {path}: {e}")
    if len(runs) > len(PALETTE):
        ap.error(f"at most {len(PALETTE)} runs in one picture (got {len(runs)})")
    draw(runs, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
