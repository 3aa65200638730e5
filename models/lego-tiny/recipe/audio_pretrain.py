"""Train the audio encoder alone on the sound pool before stage 6 goes on with the whole model.

The decoder's loss reaches the audio encoder through a few words per answer, and a warm-started run of
stage 6 learnt to hear at a crawl (sound -> source 6.7 % after 84 minutes). Here the encoder (fresh, or
the checkpoint's) learns what makes each sound and when each source of a soundtrack is heard from
aux.SoundHead alone: a few thousand sounds a minute on a CPU, no decoder. The rest of the checkpoint is
copied unchanged; the head goes into the checkpoint (``sound_head``) for train.py to continue with.

    /usr/bin/python3 audio_pretrain.py --init work/last.pt --work work --out work/heard.pt --minutes 4 --fresh
"""
from __future__ import annotations

import argparse
import os
import pickle
import time

import numpy as np
import torch

import audio_features as af
from aux import SoundHead, sound_labels
from model import AudioEncoder, Config, LegoTiny

TRACK_WEIGHT = 0.5


def main(argv=None):
    ap = argparse.ArgumentParser(prog="audio_pretrain.py", description=__doc__.split("\n")[0])
    ap.add_argument("--init", required=True, help="checkpoint whose audio encoder is trained (the rest is kept)")
    ap.add_argument("--work", required=True, help="folder with sound-pool.pkl (train.py writes it)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=4.0)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--fresh", action="store_true", help="start the audio encoder from scratch")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)

    ck = torch.load(args.init, map_location="cpu")
    cfg = Config(**ck["config"])
    if not cfg.audio_tokens:
        raise SystemExit("audio_pretrain.py: the checkpoint has no audio encoder (audio_tokens = 0)")
    model = LegoTiny(cfg)
    model.load_state_dict({k: v.float() for k, v in ck["model"].items()})
    if args.fresh:
        model.audio = AudioEncoder(cfg)
        model.audio.apply(LegoTiny._init)
        model.audio_init()
    enc = model.audio
    head = SoundHead(cfg.d_model)
    if "sound_head" in ck and not args.fresh:
        head.load_state_dict(ck["sound_head"])

    with open(os.path.join(args.work, "sound-pool.pkl"), "rb") as f:
        pool = pickle.load(f)
    groups = []  # (features, labels): sounds alone and soundtracks
    for key, feats_key in (("sounds", "sound_feats"), ("tracks", "track_feats")):
        feats = pool[feats_key]
        labels = np.stack([sound_labels(s, feats.shape[1], cfg.audio_tokens, af.CLIPS) for s in pool[key]])
        held = min(100, len(labels) // 10)  # a few kept aside to show it generalises
        groups.append((feats[:-held], labels[:-held], feats[-held:], labels[-held:]))
    print(f"audio pretrain: {len(pool['sounds'])} sounds, {len(pool['tracks'])} soundtracks; "
          f"{'fresh' if args.fresh else 'warm'} encoder, {args.minutes:g} min", flush=True)

    opt = torch.optim.AdamW(list(enc.parameters()) + list(head.parameters()), lr=args.lr, weight_decay=0.01)
    budget = args.minutes * 60
    t0 = time.time()
    last = t0
    step = seen = 0
    enc.train()
    while time.time() - t0 < budget:
        frac = (time.time() - t0) / budget
        for g in opt.param_groups:
            g["lr"] = args.lr * min(1.0, (time.time() - t0) / 20.0) * (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * frac)))
        # sounds alone first (what makes a sound), then soundtracks too (when): soundtracks from the start
        # kept a fresh encoder at chance (their slots are mostly "nothing heard")
        gi = 0 if frac < 0.4 or rng.random() < 0.6 else 1
        feats, labels = groups[gi][0], groups[gi][1]
        b = rng.integers(0, len(labels), args.batch)
        x = torch.from_numpy(feats[b].astype(np.float32))
        loss, _ = head.loss(enc(x), torch.from_numpy(labels[b]))
        if gi == 1:
            loss = loss * TRACK_WEIGHT
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(enc.parameters()) + list(head.parameters()), 1.0)
        opt.step()
        step += 1
        seen += args.batch
        if time.time() - last > 60 or time.time() - t0 >= budget:
            last = time.time()
            print(f"  {(last - t0) / 60:4.1f}/{args.minutes:g} min  step {step}  {seen} sounds  loss {loss.item():.4f}  "
                  + "  ".join(f"{name} {v}" for name, v in held_out(enc, head, groups).items()), flush=True)
    ck = dict(ck)
    state = model.state_dict()
    ck["model"] = {k: (state[k].to(v.dtype) if k in state else v) for k, v in ck["model"].items()}
    for k, v in state.items():  # an encoder the checkpoint lacked
        ck["model"].setdefault(k, v)
    ck["sound_head"] = head.state_dict()
    ck["audio_pretrain"] = {"minutes": (time.time() - t0) / 60, "seen": seen, "fresh": args.fresh}
    # the minutes count with the run's (trained_for); the sounds are not samples of the whole model
    ck["prior_minutes"] = ck.get("prior_minutes", 0) + (time.time() - t0) / 60
    tmp = args.out + ".tmp"
    torch.save(ck, tmp)
    os.replace(tmp, args.out)
    print(f"audio pretrain: {step} steps, {seen} sounds; wrote {args.out}", flush=True)


@torch.no_grad()
def held_out(enc, head, groups) -> dict:
    """Held-out figures: the source of a sound alone named right (its token mean), and a soundtrack's
    tokens' best guess right (a source heard in the slot, or nothing when nothing is)."""
    enc.eval()
    try:
        out = {}
        f, lab = groups[0][2], groups[0][3]
        tokens = enc(torch.from_numpy(f.astype(np.float32)))
        src = head.source(tokens.mean(1)).argmax(-1)
        out["source"] = f"{(src == torch.from_numpy(lab[:, 0]).argmax(-1)).float().mean().item():.3f}"
        f, lab = groups[1][2], groups[1][3]
        logits = head.out(enc(torch.from_numpy(f.astype(np.float32))))
        lab_t = torch.from_numpy(lab)
        best = logits.argmax(-1)  # [B, A]: the slot's best guess, n = nothing heard
        n = lab_t.shape[-1]
        right = torch.where(best == n, lab_t.sum(-1) == 0, lab_t.gather(-1, best.clamp(max=n - 1)[..., None])[..., 0] > 0)
        out["slots"] = f"{right.float().mean().item():.3f}"
        return out
    finally:
        enc.train()


if __name__ == "__main__":
    main()
