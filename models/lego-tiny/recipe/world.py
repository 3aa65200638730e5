"""The synthetic world lego-tiny learns from: scenes of shapes, clips of shapes, and conversations.

Everything here is deterministic for a seed: a scene or clip is a small dict of numbers drawn from
``random.Random(seed)``, rendering is a pure function of that dict and a scale, and conversations are
drawn from a second generator seeded from the same seed. Geometry lives in *original* pixels; boxes
in answers are in LEGO's padded-square frame (fractions of S = max(W, H), 3 decimals, rounded
outwards so that the box always encloses the shape); spans are fractions of the clip, 2 decimals.
"""
from __future__ import annotations

import io
import math
import random
from typing import Dict, List, Optional, Sequence, Tuple

from PIL import Image, ImageDraw, ImageFilter

KINDS = ["circle", "square", "triangle", "star", "heart", "hexagon", "cross", "diamond"]
# English plurals ("cross" -> "crosses", not "crosss": the model says what it was taught)
PLURAL = {k: k + ("es" if k.endswith(("s", "x", "sh", "ch")) else "s") for k in KINDS}
COLOURS: Dict[str, Tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "green": (40, 170, 60),
    "blue": (40, 80, 220),
    "yellow": (240, 210, 40),
    "orange": (245, 140, 30),
    "purple": (140, 60, 180),
    "pink": (245, 130, 190),
    "white": (250, 250, 250),
    "black": (20, 20, 20),
    "gray": (128, 128, 128),
    "brown": (130, 80, 40),
    "cyan": (40, 200, 220),
}
COLOUR_NAMES = list(COLOURS)
BACKGROUNDS = ["solid", "gradient", "noise", "stripes", "clutter"]
PAD_RGB = (122, 116, 104)  # CLIP mean, LEGO's pad colour
MIN_CONTRAST = 95.0


# ----------------------------------------------------------------------------------------------
# geometry

def _unit_polygon(kind: str) -> List[Tuple[float, float]]:
    """Vertices of a shape of circumradius 1 centred on the origin, y pointing down."""
    if kind == "circle":
        return [(math.cos(2 * math.pi * i / 48), math.sin(2 * math.pi * i / 48)) for i in range(48)]
    if kind == "square":
        return [(-0.72, -0.72), (0.72, -0.72), (0.72, 0.72), (-0.72, 0.72)]
    if kind == "triangle":
        return [(math.cos(math.radians(a)), math.sin(math.radians(a))) for a in (-90, 30, 150)]
    if kind == "star":
        pts = []
        for i in range(10):
            r = 1.0 if i % 2 == 0 else 0.42
            a = math.radians(-90 + 36 * i)
            pts.append((r * math.cos(a), r * math.sin(a)))
        return pts
    if kind == "hexagon":
        return [(math.cos(math.radians(60 * i)), math.sin(math.radians(60 * i))) for i in range(6)]
    if kind == "heart":
        pts = []
        for i in range(48):
            t = 2 * math.pi * i / 48
            x = 16 * math.sin(t) ** 3
            y = -(13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t))
            pts.append((x / 17.0, (y + 2.5) / 17.0))
        return pts
    if kind == "cross":
        a, b = 0.3, 0.9
        return [(-a, -b), (a, -b), (a, -a), (b, -a), (b, a), (a, a), (a, b), (-a, b), (-a, a), (-b, a), (-b, -a), (-a, -a)]
    if kind == "diamond":
        return [(0.0, -1.0), (0.62, 0.0), (0.0, 1.0), (-0.62, 0.0)]
    raise ValueError(f"unknown shape kind {kind!r}")


_UNIT = {k: _unit_polygon(k) for k in KINDS}
# Rotation ranges (degrees) that keep each kind recognisable (a square turned 45° is a diamond).
_ROT = {"circle": 180, "square": 20, "triangle": 180, "star": 180, "heart": 25, "hexagon": 180, "cross": 20, "diamond": 15}


def polygon(shape: dict, sx: float = 1.0, sy: float = 1.0, dx: float = 0.0, dy: float = 0.0) -> List[Tuple[float, float]]:
    """The shape's vertices in original pixels, optionally scaled/translated (for rendering)."""
    c, s = math.cos(math.radians(shape["rot"])), math.sin(math.radians(shape["rot"]))
    out = []
    for ux, uy in _UNIT[shape["kind"]]:
        x = shape["cx"] + shape["r"] * (ux * c - uy * s)
        y = shape["cy"] + shape["r"] * (ux * s + uy * c)
        out.append((x * sx + dx, y * sy + dy))
    return out


def pixel_box(shape: dict) -> Tuple[float, float, float, float]:
    pts = polygon(shape)
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return (min(xs), min(ys), max(xs), max(ys))


def to_padded(box: Sequence[float], w: int, h: int) -> Tuple[float, float, float, float]:
    """Original pixels -> fractions of the centred padded square (unrounded)."""
    s = max(w, h)
    ox, oy = (s - w) / 2.0, (s - h) / 2.0
    x1, y1, x2, y2 = box
    return ((x1 + ox) / s, (y1 + oy) / s, (x2 + ox) / s, (y2 + oy) / s)


def from_padded(box: Sequence[float], w: int, h: int) -> Tuple[float, float, float, float]:
    s = max(w, h)
    ox, oy = (s - w) / 2.0, (s - h) / 2.0
    x1, y1, x2, y2 = box
    clip = lambda v, hi: min(max(v, 0.0), float(hi))
    return (clip(x1 * s - ox, w), clip(y1 * s - oy, h), clip(x2 * s - ox, w), clip(y2 * s - oy, h))


def lego_box(shape: dict, w: int, h: int) -> Tuple[float, float, float, float]:
    """The shape's box in LEGO's frame, 3 decimals, rounded outwards so it encloses the shape."""
    x1, y1, x2, y2 = to_padded(pixel_box(shape), w, h)
    lo = lambda v: max(0.0, math.floor(v * 1000 + 1e-6) / 1000)
    hi = lambda v: min(1.0, math.ceil(v * 1000 - 1e-6) / 1000)
    return (lo(x1), lo(y1), hi(x2), hi(y2))


def fmt_box(b: Sequence[float]) -> str:
    return "[" + ", ".join(f"{v:.3f}" for v in b) + "]"


def fmt_span(s: Sequence[float]) -> str:
    return "{" + f"{s[0]:.2f}, {s[1]:.2f}" + "}"


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    ua = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / ua if ua > 0 else 0.0


def iou1d(a: Sequence[float], b: Sequence[float]) -> float:
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


# ----------------------------------------------------------------------------------------------
# scenes

def _colour_dist(a, b) -> float:
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b)))


def _random_size(rng: random.Random, max_lo: int = 160, max_hi: int = 1280) -> Tuple[int, int]:
    longest = rng.randint(max_lo, max_hi)
    if rng.random() < 0.5:
        aspect = math.exp(rng.uniform(math.log(1 / 3), math.log(3)))
    else:
        aspect = math.exp(rng.uniform(math.log(0.67), math.log(1.5)))
    if aspect >= 1:
        w, h = longest, max(16, int(round(longest / aspect)))
    else:
        w, h = max(16, int(round(longest * aspect))), longest
    return w, h


def _background(rng: random.Random) -> dict:
    kind = rng.choice(BACKGROUNDS)
    base = tuple(rng.randint(0, 255) for _ in range(3))
    second = tuple(min(255, max(0, c + rng.randint(-60, 60))) for c in base)
    return {"kind": kind, "a": base, "b": second, "seed": rng.randrange(1 << 30), "stripe": rng.uniform(0.02, 0.1),
            "vertical": rng.random() < 0.5}


def _allowed_colours(bg: dict) -> List[str]:
    return [n for n, rgb in COLOURS.items() if _colour_dist(rgb, bg["a"]) > MIN_CONTRAST and _colour_dist(rgb, bg["b"]) > MIN_CONTRAST]


def make_scene(seed: int, n: Optional[int] = None, size: Optional[Tuple[int, int]] = None) -> dict:
    """A scene of 1-8 distinct (colour, kind) shapes, placed with at most partial overlaps."""
    rng = random.Random(seed)
    w, h = size if size else _random_size(rng)
    while True:
        bg = _background(rng)
        colours = _allowed_colours(bg)
        if len(colours) >= 4:
            break
    n = n if n is not None else rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 6, 7, 8])
    m = min(w, h)
    rmax = min(0.3, 0.6 / math.sqrt(n)) * m
    shapes: List[dict] = []
    used = set()
    tries = 0
    while len(shapes) < n and tries < 400:
        tries += 1
        kind = rng.choice(KINDS)
        colour = rng.choice(colours)
        if (colour, kind) in used:
            continue
        r = rng.uniform(0.5, 1.0) * rmax
        r = max(r, 4.0)
        if 2 * r >= m:
            r = m / 2.2
        cx = rng.uniform(r, w - r)
        cy = rng.uniform(r, h - r)
        if any(math.hypot(cx - s["cx"], cy - s["cy"]) < 0.8 * (r + s["r"]) for s in shapes):
            continue
        rot = rng.uniform(-_ROT[kind], _ROT[kind])
        shapes.append({"kind": kind, "colour": colour, "cx": cx, "cy": cy, "r": r, "rot": rot})
        used.add((colour, kind))
    jpeg = rng.random() < 0.3
    return {"seed": seed, "w": w, "h": h, "bg": bg, "shapes": shapes,
            "jpeg": jpeg, "quality": rng.randint(25, 90) if jpeg else None}


def _draw_background(img: Image.Image, bg: dict) -> None:
    w, h = img.size
    rng = random.Random(bg["seed"])
    a, b = bg["a"], bg["b"]
    d = ImageDraw.Draw(img)
    if bg["kind"] == "gradient":
        if bg["vertical"]:
            for y in range(h):
                t = y / max(1, h - 1)
                d.line([(0, y), (w, y)], fill=tuple(int(a[i] + (b[i] - a[i]) * t) for i in range(3)))
        else:
            for x in range(w):
                t = x / max(1, w - 1)
                d.line([(x, 0), (x, h)], fill=tuple(int(a[i] + (b[i] - a[i]) * t) for i in range(3)))
    elif bg["kind"] == "stripes":
        step = max(2, int(bg["stripe"] * max(w, h)))
        d.rectangle([0, 0, w, h], fill=a)
        for k in range(0, w + h, 2 * step):
            if bg["vertical"]:
                d.rectangle([k, 0, k + step - 1, h], fill=b)
            else:
                d.rectangle([0, k, w, k + step - 1], fill=b)
    else:
        d.rectangle([0, 0, w, h], fill=a)
        if bg["kind"] == "noise":
            small = Image.effect_noise((max(1, w // 4), max(1, h // 4)), 40).resize((w, h), Image.BILINEAR)
            tint = Image.new("RGB", (w, h), a)
            img.paste(Image.blend(tint, Image.merge("RGB", [small] * 3), 0.18))
        elif bg["kind"] == "clutter":
            for _ in range(rng.randint(5, 25)):
                x0, y0 = rng.uniform(0, w), rng.uniform(0, h)
                x1, y1 = x0 + rng.uniform(-0.2, 0.2) * w, y0 + rng.uniform(-0.2, 0.2) * h
                d.line([(x0, y0), (x1, y1)], fill=b, width=max(1, int(0.004 * max(w, h))))


def render_scene(scene: dict, scale: float = 1.0, shapes: Optional[List[dict]] = None,
                 supersample: int = 2, jpeg: Optional[bool] = None) -> Image.Image:
    """Render at ``scale`` × the original size, anti-aliased by supersampling."""
    w, h = scene["w"], scene["h"]
    ow, oh = max(1, int(round(w * scale))), max(1, int(round(h * scale)))
    ss = supersample
    img = Image.new("RGB", (ow * ss, oh * ss))
    _draw_background(img, scene["bg"])
    d = ImageDraw.Draw(img)
    fx, fy = ow * ss / w, oh * ss / h
    for s in (scene["shapes"] if shapes is None else shapes):
        d.polygon(polygon(s, fx, fy), fill=COLOURS[s["colour"]])
    if ss > 1:
        img = img.resize((ow, oh), Image.BOX)
    if scene["jpeg"] if jpeg is None else jpeg:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=scene["quality"] or 75)
        buf.seek(0)
        img = Image.open(buf).convert("RGB")
    return img


def shape_mask(scene: dict, shape: dict) -> Image.Image:
    """Coverage mask (L, 0-255) of one shape at the scene's full size, anti-aliased."""
    w, h = scene["w"], scene["h"]
    img = Image.new("L", (w * 4, h * 4), 0)
    ImageDraw.Draw(img).polygon(polygon(shape, 4, 4), fill=255)
    return img.resize((w, h), Image.BOX)


def pad_resize(img: Image.Image, size: int) -> Image.Image:
    """LEGO's preprocessing: pad to a centred square with the CLIP mean, resize to ``size``."""
    w, h = img.size
    s = max(w, h)
    sq = Image.new("RGB", (s, s), PAD_RGB)
    sq.paste(img, ((s - w) // 2, (s - h) // 2))
    return sq.resize((size, size), Image.BICUBIC) if s != size else sq


def model_image(scene: dict, size: int) -> Image.Image:
    """What the model sees, rendered cheaply at twice the model's size then padded and resized."""
    scale = (2 * size) / max(scene["w"], scene["h"])
    return pad_resize(render_scene(scene, scale=scale), size)


# ----------------------------------------------------------------------------------------------
# clips

def make_clip(seed: int) -> dict:
    """1-3 actors, each visible for a stretch of the clip, some moving, some changing colour."""
    rng = random.Random(seed)
    w, h = _random_size(rng, 160, 640)
    while True:
        bg = _background(rng)
        colours = _allowed_colours(bg)
        if len(colours) >= 5:
            break
    duration = round(math.exp(rng.uniform(math.log(2.0), math.log(120.0))), 2)
    fps = rng.choice([5, 10, 12, 15, 24, 25, 30])
    n = rng.choice([1, 2, 2, 3, 3])
    m = min(w, h)
    actors, used = [], set()
    tries = 0
    while len(actors) < n and tries < 200:
        tries += 1
        kind = rng.choice(KINDS)
        colour = rng.choice(colours)
        length = rng.uniform(0.25, 0.9)
        start = rng.uniform(0.0, 1.0 - length)
        end = start + length
        change = None
        colour2 = None
        if rng.random() < 0.3 and length > 0.5:
            change = rng.uniform(start + 0.25, end - 0.25) if end - start > 0.5 else None
            colour2 = rng.choice([c for c in colours if c != colour])
        keys = {(colour, kind)} | ({(colour2, kind)} if colour2 else set())
        if keys & used:
            continue
        r = rng.uniform(0.12, 0.22) * m
        moving = rng.random() < 0.5
        vx = vy = 0.0
        if moving:
            ang = rng.choice([0, 90, 180, 270])
            speed = rng.uniform(0.3, 0.6) * (w if ang in (0, 180) else h)  # pixels per unit of clip
            vx, vy = speed * math.cos(math.radians(ang)), speed * math.sin(math.radians(ang))
        # start far enough from the edge that a moving actor never bounces back
        dx, dy = vx * length, vy * length
        lo_x, hi_x = r + max(0.0, -dx), w - r - max(0.0, dx)
        lo_y, hi_y = r + max(0.0, -dy), h - r - max(0.0, dy)
        if lo_x > hi_x or lo_y > hi_y:
            vx = vy = 0.0
            lo_x, hi_x, lo_y, hi_y = r, w - r, r, h - r
        cx = rng.uniform(lo_x, hi_x)
        cy = rng.uniform(lo_y, hi_y)
        actors.append({"kind": kind, "colour": colour, "colour2": colour2, "change": change,
                       "start": start, "end": end, "cx": cx, "cy": cy, "vx": vx, "vy": vy, "r": r,
                       "rot": rng.uniform(-_ROT[kind], _ROT[kind])})
        used |= keys
    return {"seed": seed, "w": w, "h": h, "bg": bg, "duration": duration, "fps": fps, "actors": actors}


def _bounce(p: float, lo: float, hi: float) -> float:
    span = hi - lo
    if span <= 0:
        return lo
    q = (p - lo) % (2 * span)
    return lo + (q if q <= span else 2 * span - q)


def actor_state(clip: dict, a: dict, t: float) -> Optional[dict]:
    """The shape an actor shows at clip fraction t, or None when it is off screen."""
    if not (a["start"] <= t <= a["end"]):
        return None
    dt = t - a["start"]
    cx = _bounce(a["cx"] + a["vx"] * dt, a["r"], clip["w"] - a["r"])
    cy = _bounce(a["cy"] + a["vy"] * dt, a["r"], clip["h"] - a["r"])
    colour = a["colour2"] if a["change"] is not None and t >= a["change"] else a["colour"]
    return {"kind": a["kind"], "colour": colour, "cx": cx, "cy": cy, "r": a["r"], "rot": a["rot"]}


def render_frame(clip: dict, t: float, scale: float = 1.0) -> Image.Image:
    shapes = [s for s in (actor_state(clip, a, t) for a in clip["actors"]) if s]
    scene = {"w": clip["w"], "h": clip["h"], "bg": clip["bg"], "shapes": shapes, "jpeg": False, "quality": None}
    return render_scene(scene, scale=scale)


def sample_times(n: int) -> List[float]:
    """Uniform sampling over the whole clip: the centre of each of n equal bins (fractions)."""
    return [(i + 0.5) / n for i in range(n)]


def model_frames(clip: dict, frames: int, size: int) -> List[Image.Image]:
    scale = (2 * size) / max(clip["w"], clip["h"])
    return [pad_resize(render_frame(clip, t, scale), size) for t in sample_times(frames)]


def clip_events(clip: dict) -> List[dict]:
    """Entities (colour, kind) with the span in which they are on screen, and what they do."""
    ev = []
    for a in clip["actors"]:
        phases = [(a["colour"], a["start"], a["change"] if a["change"] is not None else a["end"])]
        if a["change"] is not None:
            phases.append((a["colour2"], a["change"], a["end"]))
        motion = "stays still"
        if abs(a["vx"]) + abs(a["vy"]) > 0:
            motion = "moves " + ("right" if a["vx"] > 1 else "left" if a["vx"] < -1 else "down" if a["vy"] > 1 else "up")
        for i, (col, s, e) in enumerate(phases):
            ev.append({"colour": col, "kind": a["kind"], "span": (round(s, 2), round(e, 2)), "motion": motion,
                       "turned": i == 1, "from": a["colour"] if i == 1 else None})
    ev.sort(key=lambda e: (e["span"][0], e["span"][1]))
    return ev
