"""Conversations about sounds: what makes this sound (sound alone), where it comes from (image + sound),
and when a named sound is heard (a clip with its soundtrack).

A turn carries the sound it is about (``sound``: a sound_world dict, and ``clips``: how many clips the
encoder takes) beside the usual task, human, assistant and truth. The phrasings come from grammar.py.
"""
from __future__ import annotations

import random
from typing import List, Optional

import audio_features as af
import grammar
import sound_world as sw
from world import KINDS, fmt_box, fmt_span, lego_box

SOUND_TASKS = ["sound_source", "sound_locate", "sound_span"]


def article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def source_turn(rng: random.Random, sound: dict, split: str = "train") -> dict:
    ev = sound["events"][0]
    name = f"{ev['colour']} {ev['kind']}"
    q, template = grammar.question(rng, "sound_source", {}, split)
    return {"task": "sound_source", "human": q, "template": template,
            "assistant": f"It is the sound of {article(name)} {name}.",
            "truth": {"label": name}, "sound": sound, "clips": af.CLIPS}


def locate_turn(rng: random.Random, sc: dict, shape: dict, sound: dict, split: str = "train") -> dict:
    name = f"{shape['colour']} {shape['kind']}"
    b = lego_box(shape, sc["w"], sc["h"])
    q, template = grammar.question(rng, "sound_locate", {}, split)
    return {"task": "sound_locate", "human": q, "template": template,
            "assistant": f"The sound comes from the {name} at {fmt_box(b)}.",
            "truth": {"box": b, "label": name}, "ref": shape, "sound": sound, "clips": af.CLIPS}


def span_turn(rng: random.Random, track: dict, split: str = "train") -> Optional[dict]:
    evs = sw.event_spans(track)
    if not evs:
        return None
    e = rng.choice(evs)
    name = f"{e['colour']} {e['kind']}"
    q, template = grammar.question(rng, "sound_span", {"d": grammar.synonym_phrase(rng, name)}, split)
    return {"task": "sound_span", "human": q, "template": template,
            "assistant": f"The {name} is heard during {fmt_span(e['span'])}.",
            "truth": {"span": e["span"], "label": name}, "ref_span": e["span"], "sound": track,
            "clips": af.SOUNDTRACK_CLIPS}


def soundtrack_for(clip: dict, seed: int, rng: random.Random) -> dict:
    """1-2 of the clip's actors heard (each during its own span), sometimes a sound from off screen."""
    actors = [(a["colour"], a["kind"]) for a in clip["actors"]]
    rng.shuffle(actors)
    sources = actors[: rng.choice([1, 1, 2])]
    if rng.random() < 0.3:
        from world import COLOUR_NAMES
        for _ in range(10):
            extra = (rng.choice(COLOUR_NAMES), rng.choice(KINDS))
            if extra not in sources and extra not in actors:
                sources.append(extra)
                break
    return sw.make_soundtrack(seed, clip["duration"], sources)
