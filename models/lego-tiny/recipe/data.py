"""Pools of pre-rendered media (what the model sees) and the batches built from them."""
from __future__ import annotations

import os
import pickle
import random
import sys
import time
from multiprocessing import Pool
from typing import List, Optional, Tuple

import numpy as np

import dialogue
from tokenizer import SEP, SYSTEM, MEDIA, Tokenizer, placeholders, sanitize
from world import COLOUR_NAMES, KINDS, make_clip, make_scene, model_frames, model_image

CLIP_MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
CLIP_STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)

TRAIN_SEED = 0
EVAL_SEED = 900_000_000  # held-out scenes and clips are seeded far apart from training
SOUND_SEED = 300_000_000  # training sounds (the held-out split's come from EVAL_SEED + 7,000,000)
SOUND_MIX = {"sound_source": 1.0, "sound_locate": 1.4, "sound_span": 1.0}


def _img_job(args):
    seed, size = args
    sc = make_scene(seed)
    return sc, np.asarray(model_image(sc, size), dtype=np.uint8)


def _vid_job(args):
    seed, frames, size = args
    cl = make_clip(seed)
    return cl, np.stack([np.asarray(f, dtype=np.uint8) for f in model_frames(cl, frames, size)])


def _run(job, items, label, procs):
    out = []
    t0 = time.time()
    with Pool(procs) as p:
        for i, r in enumerate(p.imap(job, items, chunksize=64)):
            out.append(r)
            if (i + 1) % 2000 == 0 or i + 1 == len(items):
                el = time.time() - t0
                eta = el / (i + 1) * (len(items) - i - 1)
                print(f"  {label}: {i + 1}/{len(items)}  {el:.0f}s elapsed, ~{eta:.0f}s left", flush=True)
    return out


def build_pool(path: str, n_images: int, n_videos: int, image_size: int, frames: int, frame_size: int,
               seed0: int = TRAIN_SEED, procs: int = 2) -> dict:
    if os.path.exists(path):
        with open(path, "rb") as f:
            pool = pickle.load(f)
        if (len(pool["scenes"]) == n_images and len(pool["clips"]) == n_videos
                and pool["images"].shape[1] == image_size and pool["videos"].shape[1:3] == (frames, frame_size)):
            print(f"pool: reusing {path}", flush=True)
            return pool
    print(f"pool: rendering {n_images} images and {n_videos} clips with {procs} processes", flush=True)
    imgs = _run(_img_job, [(seed0 + i, image_size) for i in range(n_images)], "images", procs)
    vids = _run(_vid_job, [(seed0 + i, frames, frame_size) for i in range(n_videos)], "clips", procs)
    pool = {"scenes": [s for s, _ in imgs], "images": np.stack([a for _, a in imgs]),
            "clips": [c for c, _ in vids], "videos": np.stack([a for _, a in vids]) if vids else np.zeros((0, frames, frame_size, frame_size, 3), np.uint8)}
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        pickle.dump(pool, f, protocol=4)
    os.replace(tmp, path)
    return pool


def _sound_job(i):
    import sound_world as sw
    import audio_features as af
    snd = sw.make_sound(SOUND_SEED + i, COLOUR_NAMES[i % len(COLOUR_NAMES)], KINDS[(i // len(COLOUR_NAMES)) % len(KINDS)])
    return snd, sw.sound_features(snd, af.CLIPS).astype(np.float16)


def _track_job(args):
    import random as _r
    import sound_dialogue
    import sound_world as sw
    import audio_features as af
    j, clip = args
    tr = sound_dialogue.soundtrack_for(clip, SOUND_SEED + 50_000_000 + j, _r.Random(SOUND_SEED + j))
    return tr, sw.sound_features(tr, af.SOUNDTRACK_CLIPS).astype(np.float16)


def track_clips(clips: list, n_tracks: int) -> list:
    """The clip each of ``n_tracks`` soundtracks belongs to: the pool's clips in order, then again from the
    first (a clip heard a second time gets another soundtrack: its own seed, other sources and spans)."""
    return [clips[j % len(clips)] for j in range(n_tracks)]


def build_sound_pool(path: str, n_sounds: int, clips: list, procs: int = 2) -> dict:
    """Pre-computed encoder inputs (float16): sounds balanced over (colour, kind), and a soundtrack for each
    of ``clips`` (the image/video pool's clips in order, repeated when there are more tracks: track_clips)."""
    if os.path.exists(path):
        with open(path, "rb") as f:
            pool = pickle.load(f)
        if len(pool["sounds"]) == n_sounds and len(pool["tracks"]) == len(clips):
            print(f"sound pool: reusing {path}", flush=True)
            return pool
    print(f"sound pool: {n_sounds} sounds and {len(clips)} soundtracks with {procs} processes", flush=True)
    snds = _run(_sound_job, list(range(n_sounds)), "sounds", procs)
    trs = _run(_track_job, list(enumerate(clips)), "soundtracks", procs)
    pool = {"sounds": [s for s, _ in snds], "sound_feats": np.stack([a for _, a in snds]),
            "tracks": [t for t, _ in trs], "track_feats": np.stack([a for _, a in trs])}
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        pickle.dump(pool, f, protocol=4)
    os.replace(tmp, path)
    return pool


def normalize(arr: np.ndarray) -> np.ndarray:
    """uint8 [...,H,W,3] -> float32 [...,3,H,W] normalised with CLIP mean/std."""
    x = arr.astype(np.float32) / 255.0
    x = (x - CLIP_MEAN) / CLIP_STD
    return np.moveaxis(x, -1, -3)


def flip_scene(sc: dict) -> dict:
    out = dict(sc)
    out["shapes"] = [dict(s, cx=sc["w"] - s["cx"], rot=-s["rot"], flip=not s.get("flip", False)) for s in sc["shapes"]]
    return out


def query_ids(tok: Tokenizer, humans: List[str], qmax: int) -> List[int]:
    """The fusion query: human turns, latest first, separated by ###, cut to qmax tokens."""
    ids: List[int] = []
    for i, h in enumerate(reversed(humans)):
        if i:
            ids.append(tok.ids[SEP])
        ids.extend(tok.encode(sanitize(h)))
        if len(ids) >= qmax:
            break
    return ids[:qmax]


def encode_conversation(tok: Tokenizer, conv: List[dict], media: str, n_media: int,
                        all_turns: bool = False, n_audio: int = 0) -> Tuple[List[int], List[int]]:
    """Token ids of the whole conversation and the mask of the answers trained on (+ their ###):
    the last one, or every one when ``all_turns`` (several questions about one picture per sample).
    ``n_audio`` > 0: a sound's placeholder follows the image's/video's."""
    ids = tok.encode(SYSTEM + SEP)
    mask = [0] * len(ids)
    for i, t in enumerate(conv):
        human = sanitize(t["human"])
        if i == 0:
            human = placeholders(media, n_media, n_audio) + human
        pre = tok.encode("Human: " + human + SEP + "Assistant:")
        ans = tok.encode(" " + t["assistant"]) + [tok.ids[SEP]]
        last = all_turns or i == len(conv) - 1
        ids += pre + ans
        mask += [0] * len(pre) + [1 if last else 0] * len(ans)
    return ids, mask


class Batcher:
    def __init__(self, pool: dict, tok: Tokenizer, cfg, video_frac: float = 0.28, seed: int = 1, pack: bool = True,
                 pack_share: float = 0.65, mix: Optional[dict] = None, sound_pool: Optional[dict] = None,
                 sound_frac: float = 0.0, sound_mix: Optional[dict] = None):
        self.pool, self.tok, self.cfg = pool, tok, cfg
        self.mix = mix  # image task weights (None: dialogue.IMAGE_MIX)
        self.pack = pack
        self.pack_share = pack_share
        self._ready: list = []  # length-bucketed batches waiting to be handed out
        self.video_frac = video_frac if len(pool["clips"]) else 0.0
        self.rng = random.Random(seed)
        self.n_img = cfg.image_grid ** 2
        self.pad = tok.ids["<pad>"]
        self.sound_pool = sound_pool
        self.sound_frac = sound_frac if sound_pool is not None and cfg.audio_tokens else 0.0
        self.sound_mix = sound_mix or SOUND_MIX
        self.by_label = {}
        if sound_pool is not None:
            for i, snd in enumerate(sound_pool["sounds"]):
                ev = snd["events"][0]
                self.by_label.setdefault((ev["colour"], ev["kind"]), []).append(i)

    def sound_sample(self):
        """A sound alone, an image with the sound of one of its shapes, or a clip with its soundtrack.
        The 7th element is the encoder input (float16 [C, mels, frames])."""
        import sound_dialogue
        rng, sp = self.rng, self.sound_pool
        task = rng.choices(list(self.sound_mix), weights=list(self.sound_mix.values()))[0]
        if task == "sound_source":
            i = rng.randrange(len(sp["sounds"]))
            conv = [sound_dialogue.source_turn(rng, sp["sounds"][i])]
            ids, mask = encode_conversation(self.tok, conv, "", 0, n_audio=self.cfg.audio_tokens)
            return ("none", None, ids, mask, conv, None, sp["sound_feats"][i])
        if task == "sound_locate":
            i = rng.randrange(len(self.pool["scenes"]))
            sc, img = self.pool["scenes"][i], self.pool["images"][i]
            if rng.random() < 0.5:
                sc, img = flip_scene(sc), img[:, ::-1]
            s = rng.choice(sc["shapes"])
            j = rng.choice(self.by_label[(s["colour"], s["kind"])])
            t = sound_dialogue.locate_turn(rng, sc, s, sp["sounds"][j])
            ids, mask = encode_conversation(self.tok, [t], "image", self.n_img, n_audio=self.cfg.audio_tokens)
            return ("image", img, ids, mask, [t], sc, sp["sound_feats"][j])
        j = rng.randrange(len(sp["tracks"]))
        t = sound_dialogue.span_turn(rng, sp["tracks"][j])
        if t is None:
            return None
        t["aux_ref"] = None
        ids, mask = encode_conversation(self.tok, [t], "video", self.cfg.video_frames, n_audio=self.cfg.audio_tokens)
        v = j % len(self.pool["clips"])  # more soundtracks than clips: track_clips()
        return ("video", self.pool["videos"][v], ids, mask, [t], self.pool["clips"][v], sp["track_feats"][j])

    def sample(self):
        rng = self.rng
        if self.sound_frac and rng.random() < self.sound_frac:
            return self.sound_sample()
        if rng.random() < self.video_frac:
            i = rng.randrange(len(self.pool["clips"]))
            conv = dialogue.video_conversation(rng, self.pool["clips"][i], turns=rng.choice([1, 1, 2, 3]) if self.pack else None)
            if not conv:
                return None
            ids, mask = encode_conversation(self.tok, conv, "video", self.cfg.video_frames, all_turns=self.pack)
            return ("video", self.pool["videos"][i], ids, mask, conv, self.pool["clips"][i], None)
        i = rng.randrange(len(self.pool["scenes"]))
        sc, img = self.pool["scenes"][i], self.pool["images"][i]
        if rng.random() < 0.5:
            sc, img = flip_scene(sc), img[:, ::-1]
        packed = self.pack and rng.random() < self.pack_share
        conv = dialogue.image_conversation(rng, sc, turns=rng.choice([2, 3, 4, 5]) if packed else None, mix=self.mix)
        if not conv:
            return None
        ids, mask = encode_conversation(self.tok, conv, "image", self.n_img, all_turns=packed)
        return ("image", img, ids, mask, conv, sc, None)

    def batch(self, size: int, buckets: int = 8):
        """Samples of similar length batched together (less padding): draw ``buckets`` batches' worth,
        sort by length, hand them out one batch at a time in random order."""
        if not self._ready:
            items = []
            while len(items) < size * buckets:
                s = self.sample()
                if s is not None and len(s[2]) <= self.cfg.max_positions:
                    items.append(s)
            items.sort(key=lambda it: len(it[2]))
            self._ready = [items[i: i + size] for i in range(0, len(items), size)]
            self.rng.shuffle(self._ready)
        return collate(self.tok, self.cfg, self._ready.pop())


def collate(tok: Tokenizer, cfg, items):
    import torch
    pad = tok.ids["<pad>"]
    t = max(len(it[2]) for it in items)
    ids = torch.full((len(items), t), pad, dtype=torch.long)
    tgt_mask = torch.zeros((len(items), t), dtype=torch.bool)
    for b, it in enumerate(items):
        ids[b, : len(it[2])] = torch.tensor(it[2])
        tgt_mask[b, : len(it[3])] = torch.tensor(it[3], dtype=torch.bool)
    qs = [query_ids(tok, [c["human"] for c in it[4]], cfg.query_max) for it in items]
    qlen = max(len(q) for q in qs)
    qids = torch.full((len(items), qlen), pad, dtype=torch.long)
    qmask = torch.zeros((len(items), qlen), dtype=torch.long)
    for b, q in enumerate(qs):
        qids[b, : len(q)] = torch.tensor(q)
        qmask[b, : len(q)] = 1
    img_idx = [b for b, it in enumerate(items) if it[0] == "image"]
    vid_idx = [b for b, it in enumerate(items) if it[0] == "video"]
    images = torch.from_numpy(normalize(np.stack([np.ascontiguousarray(items[b][1]) for b in img_idx]))) if img_idx else None
    videos = torch.from_numpy(normalize(np.stack([items[b][1] for b in vid_idx]))) if vid_idx else None
    # sounds, grouped by clip count (3 for a sound, 8 for a soundtrack), in batch order within the batch
    aud_idx = [b for b, it in enumerate(items) if len(it) > 6 and it[6] is not None]
    audio_groups = {}
    for b in aud_idx:
        audio_groups.setdefault(items[b][6].shape[0], []).append(b)
    audios = {c: (bs, torch.from_numpy(np.stack([items[b][6] for b in bs]).astype(np.float32))) for c, bs in audio_groups.items()}
    sound_labels = None
    if aud_idx:
        import audio_features as af
        from aux import sound_labels as labels_of
        sound_labels = torch.from_numpy(np.stack([
            labels_of(items[b][4][-1]["sound"], items[b][6].shape[0], cfg.audio_tokens, af.CLIPS) for b in aud_idx]))

    def aux_ref(b, key):
        last = items[b][4][-1]
        return None if "aux_ref" in last else last.get(key)

    return {"ids": ids, "tgt_mask": tgt_mask, "qids": qids, "qmask": qmask, "img_idx": img_idx, "vid_idx": vid_idx,
            "images": images, "videos": videos, "aud_idx": aud_idx, "audios": audios, "sound_labels": sound_labels,
            # for training-only heads (aux.py): each image's scene and the shape its latest question is about
            "image_scenes": [items[b][5] for b in img_idx], "image_refs": [aux_ref(b, "ref") for b in img_idx],
            "video_refs": [aux_ref(b, "ref_span") for b in vid_idx]}


def batch_sound(model, batch):
    """The batch's sounds in ``aud_idx`` order: (decoder tokens [S, A, d], the encoder's own tokens
    [S, A, d], which an image's fusion that hears takes), or None when there are none. The two are the
    same tensor for a model without a sound fusion."""
    import torch
    if not batch.get("aud_idx"):
        return None
    order = {b: k for k, b in enumerate(batch["aud_idx"])}
    dec = heard = None
    for c, (bs, x) in batch["audios"].items():
        sel = torch.tensor(bs)
        f, h = model.encode_audio(x, batch["qids"][sel], batch["qmask"][sel], heard=True)
        if dec is None:
            dec = f.new_zeros((len(order),) + tuple(f.shape[1:]))
            heard = h.new_zeros((len(order),) + tuple(h.shape[1:]))
        rows = torch.tensor([order[b] for b in bs])
        dec = dec.index_copy(0, rows, f)
        heard = heard.index_copy(0, rows, h)
    return dec, heard


def image_sound(model, batch, sound_feats):
    """What each image's fusion hears: [I, A, d] sound tokens and [I, A] mask (zeros for an image asked
    about without a sound); (None, None) for a model without ears. ``sound_feats``: batch_sound's pair."""
    import torch
    if not model.cfg.fusion_hears or not batch["img_idx"]:
        return None, None
    a, d = model.cfg.audio_tokens, model.cfg.d_model
    n = len(batch["img_idx"])
    snd = torch.zeros((n, a, d))
    mask = torch.zeros((n, a), dtype=torch.long)
    if sound_feats is not None:
        order = {b: k for k, b in enumerate(batch["aud_idx"])}
        rows = [(i, order[b]) for i, b in enumerate(batch["img_idx"]) if b in order]
        if rows:
            ii = torch.tensor([i for i, _ in rows])
            snd = snd.index_copy(0, ii, sound_feats[1][torch.tensor([k for _, k in rows])])
            mask[ii] = 1
    return snd, mask


def embed_batch(model, tok: Tokenizer, batch, image_feats=None, video_feats=None, sound_feats=None):
    """Token embeddings with the media patches replaced by encoder outputs (``image_feats`` etc.: the
    encoders' outputs when the caller already has them; ``sound_feats``: batch_sound's pair)."""
    import torch
    ids = batch["ids"]
    emb = model.tok(ids)
    patch_img, patch_vid = tok.ids[MEDIA["image"][1]], tok.ids[MEDIA["video"][1]]
    if sound_feats is None:
        sound_feats = batch_sound(model, batch)
    if batch["img_idx"]:
        sel = torch.tensor(batch["img_idx"])
        if image_feats is not None:
            feats = image_feats
        else:
            snd, smask = image_sound(model, batch, sound_feats)
            feats = model.encode_image(batch["images"], batch["qids"][sel], batch["qmask"][sel], sound=snd, sound_mask=smask)
        emb = emb.masked_scatter((ids == patch_img)[..., None], feats.to(emb.dtype).reshape(-1))
    if batch["vid_idx"]:
        sel = torch.tensor(batch["vid_idx"])
        feats = video_feats if video_feats is not None else model.encode_video(batch["videos"], batch["qids"][sel], batch["qmask"][sel])
        emb = emb.masked_scatter((ids == patch_vid)[..., None], feats.to(emb.dtype).reshape(-1))
    if sound_feats is not None:
        patch_aud = tok.ids[MEDIA["audio"][1]]
        emb = emb.masked_scatter((ids == patch_aud)[..., None], sound_feats[0].to(emb.dtype).reshape(-1))
    return emb
