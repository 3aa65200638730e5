"""Training-only helpers that make "where" learnable in an hour on a CPU (not part of the model).

The decoder's loss alone reaches the vision encoder through a few coordinate tokens per answer, and
a small model trained for an hour on that thin signal learns the answer formats but not where things
are. These heads give the encoder a dense signal on every image instead:

* per grid token, before fusion: the colour and kind of the shape on top at the token's centre (or
  none), and that shape's box, read out through the tied coordinate-token embeddings, so the tokens
  come to carry their object's box in the very code the decoder writes boxes in;
* per grid token, after fusion: whether it shows the shape the latest question is about, so fusion
  learns to mark the asked-for object (the probe's plateau breaker, with a direct signal);
* per video frame, after fusion: whether the actor the latest question is about is on screen then.

The heads are dropped at export; the exported graphs are LegoTiny's alone.
"""
from __future__ import annotations

from typing import List, Optional

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from world import COLOUR_NAMES, KINDS, lego_box

NONE_COLOUR, NONE_KIND = len(COLOUR_NAMES), len(KINDS)


def grid_labels(scene: dict, ref: Optional[dict], grid: int):
    """Per token (row-major, grid x grid): colour, kind, box (bins of 0.001, -1 = none) of the top-most
    shape whose box holds the token's centre, and whether that shape is ``ref``."""
    n = grid * grid
    colour = np.full(n, NONE_COLOUR, np.int64)
    kind = np.full(n, NONE_KIND, np.int64)
    box = np.full((n, 4), -1, np.int64)
    target = np.zeros(n, np.float32)
    c = (np.arange(grid) + 0.5) / grid
    cx, cy = np.meshgrid(c, c)  # [row, col]
    cx, cy = cx.reshape(-1), cy.reshape(-1)
    for s in scene["shapes"]:  # later shapes are drawn on top
        b = lego_box(s, scene["w"], scene["h"])
        inside = (cx >= b[0]) & (cx <= b[2]) & (cy >= b[1]) & (cy <= b[3])
        if not inside.any():
            continue
        colour[inside] = COLOUR_NAMES.index(s["colour"])
        kind[inside] = KINDS.index(s["kind"])
        box[inside] = np.round(np.array(b) * 1000).astype(np.int64)
        target[inside] = 1.0 if ref is not None and _same(s, ref) else 0.0
    return colour, kind, box, target


def _same(a: dict, b: dict) -> bool:
    return a["colour"] == b["colour"] and a["kind"] == b["kind"] and abs(a["cx"] - b["cx"]) < 1e-6 and abs(a["cy"] - b["cy"]) < 1e-6


def batch_labels(scenes: List[dict], refs: List[Optional[dict]], grid: int) -> dict:
    cols, kinds, boxes, targets, has = [], [], [], [], []
    for sc, ref in zip(scenes, refs):
        c, k, b, t = grid_labels(sc, ref, grid)
        cols.append(c)
        kinds.append(k)
        boxes.append(b)
        targets.append(t)
        has.append(ref is not None)
    return {"colour": torch.from_numpy(np.stack(cols)), "kind": torch.from_numpy(np.stack(kinds)),
            "box": torch.from_numpy(np.stack(boxes)), "target": torch.from_numpy(np.stack(targets)),
            "has_target": torch.tensor(has)}


class AuxHeads(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.colour = nn.Linear(d, NONE_COLOUR + 1)
        self.kind = nn.Linear(d, NONE_KIND + 1)
        self.box = nn.Linear(d, 4 * d)
        self.box_ln = nn.LayerNorm(d)
        self.mark = nn.Linear(d, 1)
        self.frame_mark = nn.Linear(d, 1)

    def video_loss(self, frame_tokens, spans: List[Optional[tuple]], times: List[float]):
        """frame_tokens [N, F, d] (fused, pooled per frame): is the latest question's actor on screen?"""
        has = [i for i, s in enumerate(spans) if s is not None]
        if not has:
            return None
        t = torch.tensor(times[: frame_tokens.shape[1]], dtype=torch.float32)
        target = torch.stack([((t >= spans[i][0]) & (t <= spans[i][1])).float() for i in has])
        logits = self.frame_mark(frame_tokens[torch.tensor(has)]).squeeze(-1)
        return F.binary_cross_entropy_with_logits(logits, target)

    def loss(self, grid_tokens, fused_tokens, labels: dict, coord_emb: torch.Tensor, sigma: float, pick: float = 0.0):
        """grid_tokens / fused_tokens [N, T, d]; coord_emb: the 1001 tied embeddings of 0.000..1.000.
        ``pick`` weighs the softmax-over-tokens target term (off by default: tried for v3, no gain)."""
        n, t, d = grid_tokens.shape
        g = grid_tokens.reshape(n * t, d)
        l_colour = F.cross_entropy(self.colour(g), labels["colour"].reshape(-1))
        l_kind = F.cross_entropy(self.kind(g), labels["kind"].reshape(-1))
        box = labels["box"].reshape(n * t, 4)
        on = box[:, 0] >= 0
        l_box = g.new_zeros(())
        if on.any():
            h = self.box_ln(self.box(g[on]).view(-1, 4, d))  # [M, 4, d]
            logp = F.log_softmax(h @ coord_emb.t(), dim=-1)  # [M, 4, 1001]
            bins = torch.arange(coord_emb.shape[0], dtype=torch.float32)
            w = torch.exp(-0.5 * ((bins[None, None] - box[on][..., None].float()) / sigma) ** 2)
            w = w / w.sum(-1, keepdim=True)
            l_box = -(w * logp).sum(-1).mean()
        has = labels["has_target"]
        l_mark = fused_tokens.new_zeros(())
        l_pick = fused_tokens.new_zeros(())
        if has.any():
            logits = self.mark(fused_tokens[has]).squeeze(-1)
            tgt = labels["target"][has]
            l_mark = F.binary_cross_entropy_with_logits(logits, tgt)
            # optionally a softmax over the image's tokens too: the asked-for shape's tokens against all
            # the others (BCE is dominated by the many easy "not it" tokens). One 88-minute run with it
            # (v3, weight 1) matched v2 on referring and lost on region and follow-ups (MODEL.md).
            on_t = tgt.sum(-1) > 0
            if pick > 0 and on_t.any():
                p = tgt[on_t] / tgt[on_t].sum(-1, keepdim=True)
                # minus the target's own entropy, so a perfect pick scores 0
                l_pick = -(p * (F.log_softmax(logits[on_t], dim=-1) - torch.log(p.clamp_min(1e-12)))).sum(-1).mean()
        return l_colour + l_kind + l_box + 2.0 * l_mark + pick * l_pick, {
            "colour": l_colour.item(), "kind": l_kind.item(), "box": float(l_box), "mark": float(l_mark), "pick": float(l_pick)}


def sound_labels(sound: dict, clips: int, tokens: int, single_clips: int) -> np.ndarray:
    """[tokens, colours x kinds]: which sources are heard in each sound token's time slot. A sound alone
    (``single_clips`` clips) is one source throughout; a soundtrack's token i covers (i + 0.5) / tokens of
    the clip (the slot its query starts in, model.audio_init)."""
    out = np.zeros((tokens, len(COLOUR_NAMES) * len(KINDS)), np.float32)
    t = (np.arange(tokens) + 0.5) / tokens
    for ev in sound["events"]:
        j = COLOUR_NAMES.index(ev["colour"]) * len(KINDS) + KINDS.index(ev["kind"])
        if clips == single_clips:
            out[:, j] = 1.0
        else:
            out[(t >= ev["start"]) & (t <= ev["end"]), j] = 1.0
    return out


class SoundHead(nn.Module):
    """Training-only: from each sound token, which (colour, kind) source is heard in its time slot (or none),
    so the audio encoder gets a dense signal on every sound (the decoder's loss reaches it through a couple
    of words per answer); for a sound alone, also its source from the tokens' mean.

    Softmax targets, not per-class sigmoids: a BCE over 80 mostly-empty classes kept a fresh encoder at
    chance for minutes while cross-entropy named 83 % of held-out sources after 1.5 (2026-12-07)."""

    def __init__(self, d: int):
        super().__init__()
        n = len(COLOUR_NAMES) * len(KINDS)
        self.out = nn.Linear(d, n + 1)  # + "nothing heard"
        self.source = nn.Linear(d, n)

    def loss(self, tokens: torch.Tensor, labels: torch.Tensor):
        """tokens [B, A, d]; labels [B, A, sources] (sound_labels). Returns the loss and how many sounds
        alone had their source named right."""
        logits = self.out(tokens)
        none = (labels.sum(-1, keepdim=True) == 0).to(labels.dtype)
        target = torch.cat([labels, none], -1)
        target = target / target.sum(-1, keepdim=True)  # two sources heard at once: half each
        loss = -(target * F.log_softmax(logits, -1)).sum(-1).mean()
        single = (labels.sum(-1) == 1).all(-1) & (labels == labels[:, :1]).all(-1).all(-1)
        acc = 0.0
        if single.any():
            src = self.source(tokens[single].mean(1))
            want = labels[single, 0].argmax(-1)
            loss = loss + F.cross_entropy(src, want)
            with torch.no_grad():
                acc = (src.argmax(-1) == want).float().mean().item()
        return loss, acc
