"""Conversations in LEGO's style about a scene or a clip, with the truth each answer is scored on.

A conversation is a list of turns ``{"task", "human", "assistant", "truth"}``; the media go with the
first human turn (the prompt builder puts the placeholder there). Many phrasings per task; answers
keep a steady shape so that a small model can learn them, and every coordinate is in LEGO's frame.
"""
from __future__ import annotations

import random
from typing import Dict, List, Optional, Tuple

import grammar
from world import (COLOUR_NAMES, KINDS, PLURAL, clip_events, fmt_box, fmt_span, lego_box)

IMAGE_TASKS = ["refer", "describe", "region", "count", "attribute", "yesno", "spatial"]
VIDEO_TASKS = ["when", "vdescribe", "vregion"]


def article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _cap(s: str) -> str:
    return s[0].upper() + s[1:]


def _vary(rng: random.Random, q: str) -> str:
    """Users type sloppily: sometimes lower case, sometimes without the final mark."""
    if rng.random() < 0.15:
        q = q[0].lower() + q[1:]
    if rng.random() < 0.1 and q[-1] in "?.":
        q = q[:-1]
    return q


def _name(s: dict) -> str:
    return f"{s['colour']} {s['kind']}"


def _desc(rng: random.Random, s: dict, shapes: List[dict]) -> str:
    """A referring expression that names exactly this shape."""
    opts = [_name(s)]
    if sum(o["kind"] == s["kind"] for o in shapes) == 1:
        opts += [s["kind"]]
    if sum(o["colour"] == s["colour"] for o in shapes) == 1:
        opts += [f"{s['colour']} shape", f"{s['colour']} one"]
    return opts[0] if rng.random() < 0.6 else rng.choice(opts)


def _box(s: dict, sc: dict) -> Tuple[float, float, float, float]:
    return lego_box(s, sc["w"], sc["h"])


def _jitter_box(rng: random.Random, b, amount=0.08):
    w, h = b[2] - b[0], b[3] - b[1]
    out = [b[0] + rng.uniform(-amount, amount) * w, b[1] + rng.uniform(-amount, amount) * h,
           b[2] + rng.uniform(-amount, amount) * w, b[3] + rng.uniform(-amount, amount) * h]
    out = [min(1.0, max(0.0, round(v, 3))) for v in out]
    if out[2] <= out[0]:
        out[2] = min(1.0, out[0] + 0.01)
    if out[3] <= out[1]:
        out[3] = min(1.0, out[1] + 0.01)
    return tuple(out)


# Question phrasings come from grammar.py (templates, some held out of training); answers stay in one
# steady shape per task so that a small model can learn them.
REL = {"left": ("left of", "to the left of"), "right": ("right of", "to the right of"),
       "above": ("above", "above"), "below": ("below", "below")}


def _relation(anchor: dict, others: List[dict], rel: str) -> Optional[dict]:
    """The single shape clearly in that direction of the anchor, or None when it is not one."""
    ax, ay, ar = anchor["cx"], anchor["cy"], anchor["r"]
    cands = []
    for o in others:
        if o is anchor:
            continue
        dx, dy = o["cx"] - ax, o["cy"] - ay
        m = 0.5 * (ar + o["r"])
        ok = {"left": dx < -m and abs(dy) < abs(dx), "right": dx > m and abs(dy) < abs(dx),
              "above": dy < -m and abs(dx) < abs(dy), "below": dy > m and abs(dx) < abs(dy)}[rel]
        if ok:
            cands.append(o)
    return cands[0] if len(cands) == 1 else None


def refer_answer(rng, d, b) -> str:
    return rng.choice(["The {d} is at {b}.", "The {d} is at {b}.", "The {d} is at {b}.", "It is at {b}."]).format(d=d, b=fmt_box(b))


def _ask(rng: random.Random, task: str, slots: dict, split: str) -> Tuple[str, str]:
    q, mark = grammar.question(rng, task, slots, split)
    return _vary(rng, q), mark


def _count_answer(n: int, noun1: str, nounp: str, boxes: List[str]) -> str:
    """Plain English: "There are no stars.", "There is 1 cross: [..].", "There are 8 stars: [..], .. and [..]."."""
    if n == 0:
        return f"There are no {nounp}."
    if n == 1:
        return f"There is 1 {noun1}: {boxes[0]}."
    return f"There are {n} {nounp}: " + ", ".join(boxes[:-1]) + " and " + boxes[-1] + "."


def image_turn(rng: random.Random, sc: dict, task: str, prev: Optional[dict] = None, split: str = "train") -> Optional[dict]:
    """One question about a scene. ``split``: "train" draws seen templates only; "eval" half seen, half
    held out; "seen"/"held-out" one of the two. The turn's "template" says which it was."""
    t = _image_turn(rng, sc, task, prev, split)
    return t


def _image_turn(rng: random.Random, sc: dict, task: str, prev: Optional[dict], split: str) -> Optional[dict]:
    shapes = sc["shapes"]
    if task == "refer":
        s = rng.choice(shapes)
        d = _desc(rng, s, shapes)
        b = _box(s, sc)
        q, mark = _ask(rng, "refer", {"d": grammar.synonym_phrase(rng, d)}, split)
        return {"task": task, "human": q, "template": mark,
                "assistant": refer_answer(rng, d, b), "truth": {"box": b, "label": _name(s)}, "ref": s}
    if task == "describe":
        order = sorted(shapes, key=lambda s: (_box(s, sc)[0], _box(s, sc)[1]))
        parts = [f"{article(s['colour'])} {_name(s)} {fmt_box(_box(s, sc))}" for s in order]
        lead = f"There is {len(order)} shape: " if len(order) == 1 else f"There are {len(order)} shapes: "
        body = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        q, mark = _ask(rng, "describe", {}, split)
        return {"task": task, "human": q, "template": mark, "assistant": lead + body + ".",
                "truth": {"boxes": [_box(s, sc) for s in order], "labels": [_name(s) for s in order]}}
    if task == "region":
        s = rng.choice(shapes)
        b = _jitter_box(rng, _box(s, sc))
        q, mark = _ask(rng, "region", {"b": fmt_box(b)}, split)
        return {"task": task, "human": q, "template": mark,
                "assistant": f"It is {article(s['colour'])} {_name(s)}.", "truth": {"label": _name(s)}, "ref": s}
    if task == "count":
        mode = rng.random()
        if mode < 0.5:
            k = rng.choice(KINDS)
            sel = [s for s in shapes if s["kind"] == k]
            word = grammar.kind_word(rng, k)
            q, mark = _ask(rng, "count_kind", {"k": word, "p": grammar.plural_word(word)}, split)
            noun1, nounp = k, PLURAL[k]
        elif mode < 0.8:
            c = rng.choice(sorted({s["colour"] for s in shapes}) + [rng.choice(COLOUR_NAMES)])
            sel = [s for s in shapes if s["colour"] == c]
            q, mark = _ask(rng, "count_colour", {"c": grammar.colour_word(rng, c)}, split)
            noun1, nounp = f"{c} shape", f"{c} shapes"
        else:
            sel = list(shapes)
            q, mark = _ask(rng, "count_all", {}, split)
            noun1, nounp = "shape", "shapes"
        sel = sorted(sel, key=lambda s: (_box(s, sc)[0], _box(s, sc)[1]))
        boxes = [fmt_box(_box(s, sc)) for s in sel]
        a = _count_answer(len(sel), noun1, nounp, boxes)
        return {"task": task, "human": q, "template": mark, "assistant": a,
                "truth": {"count": len(sel), "boxes": [_box(s, sc) for s in sel]}}
    if task == "attribute":
        kinds = [s for s in shapes if sum(o["kind"] == s["kind"] for o in shapes) == 1]
        cols = [s for s in shapes if sum(o["colour"] == s["colour"] for o in shapes) == 1]
        if kinds and (not cols or rng.random() < 0.5):
            s = rng.choice(kinds)
            q, mark = _ask(rng, "attr_colour", {"k": grammar.kind_word(rng, s["kind"])}, split)
            return {"task": task, "human": q, "template": mark,
                    "assistant": f"The {s['kind']} is {s['colour']}.", "truth": {"label": _name(s), "what": "colour"}, "ref": s}
        if cols:
            s = rng.choice(cols)
            q, mark = _ask(rng, "attr_kind", {"c": grammar.colour_word(rng, s["colour"])}, split)
            return {"task": task, "human": q, "template": mark,
                    "assistant": f"It is {article(s['kind'])} {s['kind']}.", "truth": {"label": _name(s), "what": "kind"}, "ref": s}
        return None
    if task == "yesno":
        if rng.random() < 0.5:
            s = rng.choice(shapes)
            n = _name(s)
            b = _box(s, sc)
            nq = grammar.synonym_phrase(rng, n)
            q, mark = _ask(rng, "yesno", {"n": nq, "a": article(nq)}, split)
            return {"task": task, "human": q, "template": mark,
                    "assistant": f"Yes, there is {article(n)} {n} at {fmt_box(b)}.",
                    "truth": {"yes": True, "box": b, "label": n}, "ref": s}
        present = {(s["colour"], s["kind"]) for s in shapes}
        base = rng.choice(shapes)
        for _ in range(20):  # a near miss: same kind or same colour as something there
            c = base["colour"] if rng.random() < 0.4 else rng.choice(COLOUR_NAMES)
            k = base["kind"] if rng.random() < 0.4 else rng.choice(KINDS)
            if (c, k) not in present:
                n = f"{c} {k}"
                nq = grammar.synonym_phrase(rng, n)
                q, mark = _ask(rng, "yesno", {"n": nq, "a": article(nq)}, split)
                return {"task": task, "human": q, "template": mark,
                        "assistant": f"No, there is no {n}.", "truth": {"yes": False}}
        return None
    if task == "spatial":
        for _ in range(6):
            anchor = rng.choice(shapes)
            rel = rng.choice(list(REL))
            t = _relation(anchor, shapes, rel)
            if t is None:
                continue
            d = _desc(rng, anchor, shapes)
            b = _box(t, sc)
            q, mark = _ask(rng, "spatial", {"r": rng.choice(REL[rel]), "d": grammar.synonym_phrase(rng, d)}, split)
            return {"task": task, "human": q, "template": mark,
                    "assistant": f"The {_name(t)} {REL[rel][0]} the {d} is at {fmt_box(b)}.",
                    "truth": {"box": b, "label": _name(t)}, "ref": t}
        return None
    if task == "follow":
        s = prev
        if s is None:
            return None
        r = rng.random()
        if r < 0.35:
            q, mark = grammar.question(rng, "follow_colour", {}, split)
            return {"task": task, "human": q, "template": mark, "assistant": f"It is {s['colour']}.",
                    "truth": {"label": _name(s), "what": "colour"}, "ref": s}
        if r < 0.6:
            q, mark = grammar.question(rng, "follow_kind", {}, split)
            return {"task": task, "human": q, "template": mark, "assistant": f"It is {article(s['kind'])} {s['kind']}.",
                    "truth": {"label": _name(s), "what": "kind"}, "ref": s}
        rels = list(REL)
        rng.shuffle(rels)
        for rel in rels:
            t = _relation(s, shapes, rel)
            if t is not None:
                b = _box(t, sc)
                q, mark = grammar.question(rng, "follow_rel", {"r": rng.choice(REL[rel])}, split)
                return {"task": task, "human": q, "template": mark,
                        "assistant": f"The {_name(t)} is at {fmt_box(b)}.",
                        "truth": {"box": b, "label": _name(t), "what": "relation"}, "ref": t}
        q, mark = grammar.question(rng, "follow_colour", {}, split)
        return {"task": task, "human": q, "template": mark, "assistant": f"It is {s['colour']}.",
                "truth": {"label": _name(s), "what": "colour"}, "ref": s}
    raise ValueError(task)


IMAGE_MIX = {"refer": 4, "describe": 2, "region": 3, "count": 3, "attribute": 2, "yesno": 3, "spatial": 2}


def image_conversation(rng: random.Random, sc: dict, first: Optional[str] = None, turns: Optional[int] = None,
                       mix: Optional[dict] = None, split: str = "train") -> List[dict]:
    weights = mix or IMAGE_MIX
    turns = turns or rng.choice([1, 1, 1, 1, 1, 1, 2, 2, 2, 3])
    conv: List[dict] = []
    prev = None
    while len(conv) < turns:
        if conv and prev is not None and rng.random() < 0.6:
            task = "follow"
        elif not conv and first:
            task = first
        else:
            task = rng.choices(list(weights), weights=list(weights.values()))[0]
        # history turns are always seen templates; only the question scored may be held out
        last = len(conv) + 1 == turns
        t = image_turn(rng, sc, task, prev, split if last else "train")
        if t is None:
            if not conv and first:
                return []
            continue
        conv.append(t)
        prev = t.get("ref")
    return conv


def video_turn(rng: random.Random, clip: dict, task: str, split: str = "train") -> Optional[dict]:
    ev = clip_events(clip)
    if not ev:
        return None
    if task == "when":
        e = rng.choice(ev)
        d = f"{e['colour']} {e['kind']}"
        q, mark = _ask(rng, "when", {"d": grammar.synonym_phrase(rng, d)}, split)
        return {"task": task, "human": q, "template": mark,
                "assistant": f"The {d} is visible during {fmt_span(e['span'])}.",
                "truth": {"span": e["span"], "label": d}, "ref_span": e["span"]}
    if task == "vdescribe":
        parts = []
        for e in ev:
            d = f"{e['colour']} {e['kind']}"
            if e["turned"]:
                parts.append(f"The {e['kind']} turns {e['colour']} during {fmt_span(e['span'])}.")
            else:
                parts.append(f"{_cap(article(e['colour']))} {d} {e['motion']} during {fmt_span(e['span'])}.")
        q, mark = _ask(rng, "vdescribe", {}, split)
        return {"task": task, "human": q, "template": mark, "assistant": " ".join(parts),
                "truth": {"spans": [e["span"] for e in ev], "labels": [f"{e['colour']} {e['kind']}" for e in ev]}}
    if task == "vregion":
        e = rng.choice(ev)
        s0, s1 = e["span"]
        j = 0.03
        s = (max(0.0, round(s0 + rng.uniform(-j, j), 2)), min(1.0, round(s1 + rng.uniform(-j, j), 2)))
        d = f"{e['colour']} {e['kind']}"
        a = f"The {e['kind']} turns {e['colour']}." if e["turned"] else f"{_cap(article(e['colour']))} {d} {e['motion']}."
        q, mark = _ask(rng, "vregion", {"s": fmt_span(s)}, split)
        return {"task": task, "human": q, "template": mark, "assistant": a,
                "truth": {"label": d}, "ref_span": e["span"]}
    raise ValueError(task)


def video_conversation(rng: random.Random, clip: dict, first: Optional[str] = None, turns: Optional[int] = None,
                       split: str = "train") -> List[dict]:
    turns = turns or rng.choice([1, 1, 1, 1, 1, 2])
    conv = []
    for i in range(turns):
        task = first if (i == 0 and first) else rng.choices(VIDEO_TASKS, weights=[5, 2, 3])[0]
        t = video_turn(rng, clip, task, split if i == turns - 1 else "train")
        if t is None:
            return conv
        conv.append(t)
    return conv
