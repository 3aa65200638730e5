"""Train lego-tiny on the synthetic world. Shows progress; checkpoints every few minutes.

The learning-rate schedule runs on wall-clock time (warm-up, then cosine to the time budget), so a
run ends when its budget says whatever else the machine is doing; the step count is logged.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time

from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F

import dialogue
from aux import AuxHeads, SoundHead, batch_labels
from data import Batcher, batch_sound, build_pool, build_sound_pool, embed_batch, image_sound, track_clips
from model import Config, LegoTiny
from tokenizer import SYSTEM, Tokenizer, build_vocab, coordinate_tokens
from world import make_clip, make_scene, sample_times


def vocab_texts(n: int = 30000):
    rng = random.Random(12345)
    yield SYSTEM + "###Human: ###Assistant:"
    for i in range(n):
        sc = make_scene(10_000_000 + i)
        for t in dialogue.image_conversation(rng, sc, turns=3):
            yield t["human"] + " " + t["assistant"]
        if i % 4 == 0:
            cl = make_clip(20_000_000 + i)
            for t in dialogue.video_conversation(rng, cl, turns=2):
                yield t["human"] + " " + t["assistant"]
    for k in dialogue.KINDS:
        yield f" {k} {dialogue.PLURAL[k]}"
    for c in dialogue.COLOUR_NAMES:
        yield f" {c} {c[0].upper() + c[1:]}"


def grammar_texts():
    """Every template of the question grammar with example slots, every synonym and plural, and the
    answers of the sound tasks: the words a vocabulary extended for v2 must have."""
    import grammar
    import sound_dialogue
    from world import COLOUR_NAMES, KINDS, PLURAL
    slots = {"d": "red star", "p": "stars", "k": "star", "c": "red", "a": "a", "n": "red star", "r": "left of",
             "b": "[0.100, 0.200, 0.300, 0.400]", "s": "{0.10, 0.50}"}
    for task in grammar.HEADS:
        for t in grammar.templates(task):
            yield grammar.render(t, slots)
            yield grammar.render(t, slots).lower()
    for syns in list(grammar.KIND_SYNONYMS.values()) + list(grammar.COLOUR_SYNONYMS.values()):
        for w in syns:
            yield f" {w} {w[0].upper() + w[1:]} {grammar.plural_word(w)}"
    for k in KINDS:
        yield f" {k} {PLURAL[k]} {k[0].upper() + k[1:]} {PLURAL[k][0].upper() + PLURAL[k][1:]}"
    for c in COLOUR_NAMES:
        yield f" {c} {c[0].upper() + c[1:]}"
    yield "It is the sound of a red star. The sound comes from the red star at [0.1, 0.2, 0.3, 0.4]. The red star is heard during {0.10, 0.50}."


def extended_tokenizer(base: Tokenizer) -> Tokenizer:
    from tokenizer import extend_vocab
    return Tokenizer(extend_vocab(base.vocab, list(grammar_texts()) + list(vocab_texts(3000))))


def init_from(model, ck: dict, old_tok: Optional[Tokenizer], tok: Tokenizer) -> None:
    """Load a checkpoint into a model that may have more vocabulary rows and an audio encoder: the
    old rows keep their ids, a new word starts at the mean embedding of the pieces the old tokenizer
    split it into; parts the checkpoint lacks (the audio encoder) keep their fresh start."""
    state = model.state_dict()
    old = ck["model"]
    for k, v in old.items():
        if k not in state:
            raise SystemExit(f"train.py: --init has a weight {k} this model lacks")
        if state[k].shape == v.shape:
            state[k] = v
        elif k == "tok.weight":
            n_old = v.shape[0]
            w = state[k].clone()
            w[:n_old] = v
            for i in range(n_old, w.shape[0]):
                pieces = old_tok.encode(tok.vocab[i]) if old_tok is not None else []
                pieces = [p for p in pieces if p < n_old]
                if pieces:
                    w[i] = v[torch.tensor(pieces)].mean(0)
            state[k] = w
        else:
            raise SystemExit(f"train.py: --init weight {k} has shape {tuple(v.shape)}, this model {tuple(state[k].shape)}")
    model.load_state_dict(state)


def trained_for(ck: dict) -> dict:
    """The whole training behind a checkpoint (minutes, seen, step): its own run plus the runs it
    started from (--init), which save() records as prior_minutes / prior_seen / prior_step."""
    return {k: ck.get(k, 0) + ck.get(f"prior_{k}", 0) for k in ("minutes", "seen", "step")}


def gaussian_table(n: int, sigma: float) -> torch.Tensor:
    x = torch.arange(n, dtype=torch.float32)
    g = torch.exp(-0.5 * ((x[None] - x[:, None]) / sigma) ** 2)
    return g / g.sum(1, keepdim=True)


class SoftLoss:
    """Cross-entropy; coordinate tokens get Gaussian soft labels over their own family."""

    def __init__(self, tok: Tokenizer):
        fams = coordinate_tokens()
        self.fams = []
        for name, toks in fams.items():
            base = tok.ids[toks[0]]
            assert all(tok.ids[t] == base + i for i, t in enumerate(toks)), name
            self.fams.append((name, base, len(toks)))
        self.fam_of = torch.full((len(tok.vocab),), -1, dtype=torch.long)
        for fi, (_, base, n) in enumerate(self.fams):
            self.fam_of[base: base + n] = fi
        self.tables = {}

    def __call__(self, logits, targets, sigma3: float, sigma2: float):
        logp = F.log_softmax(logits.float(), dim=-1)
        loss = -logp.gather(1, targets[:, None])[:, 0]
        fam = self.fam_of[targets]
        for fi, (name, base, n) in enumerate(self.fams):
            sel = (fam == fi).nonzero()[:, 0]
            if len(sel) == 0:
                continue
            sigma = sigma3 if n == 1001 else sigma2
            key = (n, round(sigma, 2))
            if key not in self.tables:
                self.tables = {k: v for k, v in self.tables.items() if k[0] != n}
                self.tables[key] = gaussian_table(n, sigma)
            w = self.tables[key][targets[sel] - base]
            loss[sel] = -(w * logp[sel, base: base + n]).sum(1)
        return loss.mean()


def forward_batch(model, tok, batch, aux=None, coord_fams=None, pick=0.0, sound_head=None):
    """Logits at the answer positions and their targets (and the auxiliary heads' loss when ``aux``).
    The system prompt is the same for every sample, so its keys/values are computed once and shared
    (exact: it sees nothing after it)."""
    prefix = torch.tensor(tok.encode(SYSTEM + "###"))[None]
    p = prefix.shape[1]
    ids = batch["ids"]
    assert torch.equal(ids[0, :p], prefix[0])
    h, present = model.hidden(model.tok(prefix), None, torch.arange(p)[None])
    b, t = ids.shape
    past = [(k.expand(b, -1, -1, -1), v.expand(b, -1, -1, -1)) for k, v in present]
    rest = dict(batch, ids=ids[:, p:])
    feats, aux_loss, aux_parts = None, None, None
    sound = batch_sound(model, batch)
    if sound is not None and sound_head is not None:
        s_loss, s_acc = sound_head.loss(sound[1], batch["sound_labels"])
        aux_loss, aux_parts = 2.0 * s_loss, {"sound": s_loss.item(), "heard": s_acc}
    if aux is not None and batch["img_idx"]:
        sel_i = torch.tensor(batch["img_idx"])
        snd, smask = image_sound(model, batch, sound)
        feats, grid, fused = model.encode_image(batch["images"], batch["qids"][sel_i], batch["qmask"][sel_i], parts=True,
                                                sound=snd, sound_mask=smask)
        labels = batch_labels(batch["image_scenes"], batch["image_refs"], model.cfg.image_grid)
        coord = sum(model.tok.weight[base: base + n] for base, n in coord_fams) / len(coord_fams)
        i_loss, i_parts = aux.loss(grid, fused, labels, coord, sigma=8.0, pick=pick)
        aux_loss = i_loss if aux_loss is None else aux_loss + i_loss
        aux_parts = dict(aux_parts or {}, **i_parts)
    vfeats = None
    if aux is not None and batch["vid_idx"]:
        sel_v = torch.tensor(batch["vid_idx"])
        vfeats, frames = model.encode_video(batch["videos"], batch["qids"][sel_v], batch["qmask"][sel_v], parts=True)
        v_loss = aux.video_loss(frames, batch["video_refs"], sample_times(model.cfg.video_frames))
        if v_loss is not None:
            aux_loss = 2.0 * v_loss if aux_loss is None else aux_loss + 2.0 * v_loss
            aux_parts = dict(aux_parts or {}, frames=v_loss.item())
    emb = embed_batch(model, tok, rest, image_feats=feats, video_feats=vfeats, sound_feats=sound)
    h, _ = model.hidden(emb, None, torch.arange(p, t)[None].expand(b, t - p), past)
    m = batch["tgt_mask"][:, p + 1:]
    sel = h[:, :-1][m]
    return model.logits(sel), ids[:, p + 1:][m], aux_loss, aux_parts


def main(argv=None):
    ap = argparse.ArgumentParser(prog="train.py", description=__doc__)
    ap.add_argument("--work", required=True, help="folder for the pool, checkpoints and logs")
    ap.add_argument("--minutes", type=float, default=85.0, help="training time budget")
    ap.add_argument("--images", type=int, default=60000)
    ap.add_argument("--videos", type=int, default=16000)
    ap.add_argument("--batch", type=int, default=16, help="samples per step and process")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--threads", type=int, default=1, help="torch threads per process")
    ap.add_argument("--procs", type=int, default=1,
                    help="data-parallel processes (gradients averaged every step); 2 x 1 thread beats 1 x 2 threads")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--d-model", type=int, default=128)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--pack", type=float, default=0.25, help="share of image samples with several questions")
    ap.add_argument("--aux", type=float, default=0.5, help="weight of the training-only grid heads (aux.py); 0 = off")
    ap.add_argument("--aux-pick", type=float, default=0.0,
                    help="weight of the softmax-over-tokens target term inside the grid heads (v3 used 1; no gain)")
    ap.add_argument("--no-fourier", action="store_true", help="plain random start for positions and numbers")
    ap.add_argument("--init", help="start from this checkpoint's weights (a new schedule, fresh optimizer)")
    ap.add_argument("--mix", type=parse_mix, help="image task weights, e.g. region=6,count=5 (others keep "
                    "dialogue.IMAGE_MIX's weight)")
    ap.add_argument("--video-frac", type=float, default=0.28, help="share of samples that are clips")
    ap.add_argument("--audio-tokens", type=int, default=0, help="sound tokens (0 = no audio encoder; v2: 8)")
    ap.add_argument("--freeze-audio", action="store_true",
                    help="keep the audio encoder as --init has it (trained alone by audio_pretrain.py): the decoder's "
                         "early gradients knocked it off what it had learnt")
    ap.add_argument("--audio-lr-scale", type=float, default=0.0,
                    help="instead of --freeze-audio: the audio encoder learns at this factor of lr (and the sound head "
                         "is off: a fresh head's gradients would knock the encoder off what it learnt)")
    ap.add_argument("--train-query-time", action="store_true",
                    help="with --freeze-audio: the sound tokens' time codes (audio.query_time) still learn")
    ap.add_argument("--sound-mix", type=parse_sound_mix, help="sound task weights, e.g. sound_span=3,sound_source=0.5")
    ap.add_argument("--sound-fusion", action="store_true",
                    help="the sound tokens attend to the question before the decoder (v2.1; needs --audio-tokens)")
    ap.add_argument("--fusion-hears", action="store_true",
                    help="the image's fusion also attends to the turn's sound tokens (v2; needs --audio-tokens)")
    ap.add_argument("--sound-frac", type=float, default=0.0, help="share of samples with a sound (needs --audio-tokens)")
    ap.add_argument("--sounds", type=int, default=3000, help="pre-computed training sounds")
    ap.add_argument("--tracks", type=int, default=1500, help="pre-computed soundtracks (for the pool's clips in order; more than clips: "
                    "the clips again, each with another soundtrack)")
    ap.add_argument("--tokenizer", help="tokenizer.json to use, written first when missing (default: WORK/tokenizer.json)")
    ap.add_argument("--base-tokenizer", help="extend this tokenizer.json (old ids kept) instead of building a new one")
    ap.add_argument("--new-lr-scale", type=float, default=3.0,
                    help="with --init: learning-rate factor for the parts the checkpoint lacks (the audio encoder)")
    ap.add_argument("--freeze-bn", action="store_true",
                    help="BatchNorm stays in eval mode (for weights rebuilt from ONNX, where it was folded into the convs)")
    args = ap.parse_args(argv)
    if not 0 <= args.video_frac <= 1:
        ap.error("--video-frac must be between 0 and 1")
    if args.procs < 1 or args.threads < 1 or args.batch < 1 or args.minutes <= 0:
        ap.error("--procs, --threads, --batch and --minutes must be positive")
    if args.sound_frac > 0 and not args.audio_tokens:
        ap.error("--sound-frac needs --audio-tokens")
    if args.audio_lr_scale > 0 and args.freeze_audio:
        ap.error("--audio-lr-scale and --freeze-audio exclude each other")

    os.makedirs(args.work, exist_ok=True)
    tok_path = args.tokenizer or os.path.join(args.work, "tokenizer.json")
    init_vocab = None
    if args.init and not os.path.exists(tok_path):
        init_vocab = torch.load(args.init, map_location="cpu").get("vocab")
    if os.path.exists(tok_path):
        tok = Tokenizer.load(tok_path)
    elif init_vocab is not None:  # continuing a checkpoint that carries its vocabulary: keep it (plus new words)
        tok = extended_tokenizer(Tokenizer(init_vocab))
        print(f"tokenizer: the vocabulary of {args.init} ({len(init_vocab)}), {len(tok.vocab) - len(init_vocab)} words added",
              flush=True)
        tok.save(tok_path)
    elif args.base_tokenizer:
        base = Tokenizer.load(args.base_tokenizer)
        tok = extended_tokenizer(base)
        print(f"tokenizer: {args.base_tokenizer} ({len(base.vocab)}) extended by {len(tok.vocab) - len(base.vocab)} words", flush=True)
        tok.save(tok_path)
    else:
        print("tokenizer: building the vocabulary from generated conversations", flush=True)
        tok = Tokenizer(build_vocab(vocab_texts()))
        tok.save(tok_path)
    print(f"tokenizer: {len(tok.vocab)} tokens", flush=True)
    cfg = Config(vocab_size=len(tok.vocab), d_model=args.d_model, n_layers=args.layers, n_heads=args.heads,
                 d_ff=4 * args.d_model, audio_tokens=args.audio_tokens, fusion_hears=args.fusion_hears,
                 sound_fusion=args.sound_fusion)
    pool = build_pool(os.path.join(args.work, "pool.pkl"), args.images, args.videos, cfg.image_size,
                      cfg.video_frames, cfg.frame_size)
    sound_pool = None
    if args.sound_frac > 0:
        sound_pool = build_sound_pool(os.path.join(args.work, "sound-pool.pkl"), args.sounds,
                                      track_clips(pool["clips"], args.tracks))
    pool["sound"] = sound_pool
    if args.procs == 1:
        run(0, 1, None, args, tok, cfg, pool)
        return
    # The pool is loaded once and shared with the workers by fork (copy on write); no torch work has
    # run in this process yet, so the children start with fresh thread pools.
    import multiprocessing as mp
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=run, args=(r, args.procs, port, args, tok, cfg, pool)) for r in range(args.procs)]
    for p in procs:
        p.start()
    failed = False
    for p in procs:
        p.join()
        failed = failed or p.exitcode != 0
    if failed:
        sys.exit("train.py: a training process failed (see above)")


def parse_sound_mix(text: str) -> dict:
    """"sound_span=3" -> data.SOUND_MIX with those weights replaced."""
    from data import SOUND_MIX
    mix = dict(SOUND_MIX)
    for part in text.split(","):
        name, _, value = part.partition("=")
        if name.strip() not in mix:
            raise argparse.ArgumentTypeError(f"unknown sound task {name!r} (known: {', '.join(mix)})")
        mix[name.strip()] = float(value)
    return mix


def parse_mix(text: str) -> dict:
    """"region=6,count=5" -> dialogue.IMAGE_MIX with those weights replaced (unknown tasks refused)."""
    mix = dict(dialogue.IMAGE_MIX)
    for part in text.split(","):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in mix:
            raise argparse.ArgumentTypeError(f"unknown task {name!r} (known: {', '.join(mix)})")
        try:
            mix[name] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{part!r}: the weight must be a number") from None
        if mix[name] < 0:
            raise argparse.ArgumentTypeError(f"{part!r}: the weight must not be negative")
    if sum(mix.values()) <= 0:
        raise argparse.ArgumentTypeError("at least one task needs a positive weight")
    return mix


def run(rank, world, port, args, tok, cfg, pool):
    """One training process. With world > 1 every process starts from the same weights (same seed),
    draws its own batches, and applies the averaged gradients, so the weights stay identical; rank 0's
    clock drives the schedule and rank 0 logs and saves."""
    dist = None
    if world > 1:
        import torch.distributed as dist
        dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    main_rank = rank == 0
    model = LegoTiny(cfg)
    loss_fn = SoftLoss(tok)
    if not args.no_fourier:
        model.fourier_init([(base, n) for _, base, n in loss_fn.fams], sample_times(cfg.video_frames))
    prior = {"minutes": 0.0, "seen": 0, "step": 0}
    freeze_bn = args.freeze_bn
    if args.init:
        ck = torch.load(args.init, map_location="cpu")
        grown = {"vocab_size", "audio_tokens", "audio_mels", "audio_frames", "audio_channels", "fusion_hears", "sound_fusion"}
        other = {k: v for k, v in ck["config"].items() if k not in grown}
        if ck["config"].get("fusion_hears") and not cfg.fusion_hears:
            sys.exit(f"train.py: --init {args.init} hears in its fusion: pass --fusion-hears")
        if ck["config"].get("sound_fusion") and not cfg.sound_fusion:
            sys.exit(f"train.py: --init {args.init} has a sound fusion: pass --sound-fusion")
        mine = {k: v for k, v in cfg.to_dict().items() if k not in grown}
        if other != mine or ck["config"]["vocab_size"] > cfg.vocab_size:
            sys.exit(f"train.py: --init {args.init} has another config: {ck['config']}")
        old_tok = (Tokenizer(ck["vocab"]) if "vocab" in ck else
                   Tokenizer.load(args.base_tokenizer) if args.base_tokenizer else None)
        init_from(model, ck, old_tok, tok)
        prior = trained_for(ck)
        freeze_bn = freeze_bn or bool(ck.get("bn_folded"))
        if main_rank:
            print(f"init: {args.init} (trained {prior['minutes']:.1f} min, {prior['seen']} samples before)", flush=True)
    if main_rank:
        print(f"model: {model.n_params() / 1e6:.2f} M parameters; config {json.dumps(cfg.to_dict())}", flush=True)
        print(f"training: {world} process(es) x {args.threads} thread(s), batch {args.batch} per process, "
              f"lr {args.lr}, {args.minutes:g} min", flush=True)
    aux = None if args.aux == 0 else AuxHeads(cfg.d_model)
    sound_head = SoundHead(cfg.d_model) if aux is not None and cfg.audio_tokens else None
    if sound_head is not None and args.init and "sound_head" in ck:  # audio_pretrain.py's head goes on learning
        sound_head.load_state_dict(ck["sound_head"])
    coord_fams = [(base, n) for _, base, n in loss_fn.fams if n == 1001]
    bn_params = {id(p_) for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d) for p_ in m.parameters()}
    frozen_audio = {id(p_) for p_ in model.audio.parameters()} if args.freeze_audio and model.audio is not None else set()
    if frozen_audio and args.train_query_time:
        frozen_audio.discard(id(model.audio.query_time))
    for p_ in model.parameters():
        if id(p_) in frozen_audio:
            p_.requires_grad_(False)
    if frozen_audio or args.audio_lr_scale > 0:
        sound_head = None  # nothing left for it to teach (frozen), or a fresh head knocking a trained encoder
    params = [p_ for p_ in model.parameters() if not (freeze_bn and id(p_) in bn_params) and id(p_) not in frozen_audio] + (
        [] if aux is None else list(aux.parameters())) + ([] if sound_head is None else list(sound_head.parameters()))
    for p in params:  # gradients exist from the start (a batch without video still all-reduces them)
        p.grad = torch.zeros_like(p)
    # the parts that start from scratch on a trained model (those the checkpoint lacks: the audio encoder,
    # the fusion's ears, the sound head) learn at --new-lr-scale x lr; parts it has (an audio encoder from
    # audio_pretrain.py) at lr: 3x kept knocking a pretrained encoder off what it had learnt
    fresh = set()
    if args.init:
        have = set(ck["model"])
        fresh = {id(p_) for n, p_ in model.named_parameters() if n not in have}
        if sound_head is not None and "sound_head" not in ck:
            fresh |= {id(p_) for p_ in sound_head.parameters()}
    slow = set()
    if args.audio_lr_scale > 0 and model.audio is not None and not frozen_audio:
        slow = {id(p_) for p_ in model.audio.parameters()} - fresh
    groups = [{"params": [p_ for p_ in params if id(p_) not in fresh and id(p_) not in slow], "scale": 1.0}]
    if slow:
        groups.append({"params": [p_ for p_ in params if id(p_) in slow], "scale": args.audio_lr_scale})
    if fresh:
        groups.append({"params": [p_ for p_ in params if id(p_) in fresh], "scale": args.new_lr_scale})
    opt = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.98), weight_decay=0.05)
    batcher = Batcher(pool, tok, cfg, video_frac=args.video_frac, seed=args.seed + 1 + 1000 * rank, pack_share=args.pack,
                      mix=args.mix, sound_pool=pool.get("sound"), sound_frac=args.sound_frac, sound_mix=args.sound_mix)
    budget = args.minutes * 60.0
    warm = min(240.0, 0.05 * budget) if not args.init else 60.0
    t0 = time.time()
    last_ckpt = last_log = t0
    step = seen = 0
    el = 0.0
    ema = aux_ema = None
    log = open(os.path.join(args.work, "train-log.jsonl"), "a") if main_rank else None
    model.train()
    if freeze_bn:  # BatchNorm was folded into the convs (from_onnx.py): keep it the identity it is
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.eval()
                for p_ in m.parameters():
                    p_.requires_grad_(False)  # and out of the optimiser (see params)

    def save(tag):
        path = os.path.join(args.work, f"{tag}.pt")
        torch.save({"model": model.state_dict(), "config": cfg.to_dict(), "step": step, "seen": seen,
                    "minutes": (time.time() - t0) / 60, "prior_minutes": prior["minutes"], "prior_seen": prior["seen"],
                    "prior_step": prior["step"], "bn_folded": freeze_bn, "vocab": tok.vocab}, path + ".tmp")
        os.replace(path + ".tmp", path)

    while el < budget:
        frac = el / budget
        lr = args.lr * (el / warm if el < warm else 0.5 * (1 + math.cos(math.pi * (el - warm) / (budget - warm))))
        lr = max(lr, args.lr * 0.02)
        for g in opt.param_groups:
            g["lr"] = lr * g["scale"]
        sigma3 = 7.0 - 4.0 * frac  # soft labels sharpen over the run (bins of 0.001)
        sigma2 = 1.2
        batch = batcher.batch(args.batch)
        sel_logits, targets, aux_loss, aux_parts = forward_batch(model, tok, batch, aux, coord_fams, args.aux_pick, sound_head)
        b = batch["ids"].shape[0]
        loss = loss_fn(sel_logits, targets, sigma3, sigma2)
        total = loss if aux_loss is None else loss + args.aux * aux_loss
        opt.zero_grad(set_to_none=False)
        total.backward()
        if dist is not None:
            # one all-reduce per step: every gradient, and rank 0's clock in the last slot
            flat = torch.cat([p.grad.reshape(-1) for p in params] + [torch.tensor([time.time() - t0 if main_rank else 0.0])])
            dist.all_reduce(flat)
            el = float(flat[-1])
            flat /= world
            off = 0
            for p in params:
                n = p.numel()
                p.grad.copy_(flat[off: off + n].view_as(p))
                off += n
        else:
            el = time.time() - t0
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        seen += b * world
        if not main_rank:
            continue
        with torch.no_grad():
            acc = (sel_logits.argmax(-1) == targets).float().mean().item()
        ema = (loss.item(), acc) if ema is None else (0.98 * ema[0] + 0.02 * loss.item(), 0.98 * ema[1] + 0.02 * acc)
        if aux_parts is not None:
            aux_ema = dict(aux_ema or {})
            for k, v in aux_parts.items():
                aux_ema[k] = v if k not in aux_ema else 0.98 * aux_ema[k] + 0.02 * v
        now = time.time()
        if now - last_log > 30:
            last_log = now
            rate = seen / (now - t0)
            eta = max(0.0, budget - el) / 60
            print(f"step {step:6d}  {el / 60:5.1f}/{args.minutes:.0f} min  loss {ema[0]:.3f}  token-acc {ema[1]:.3f}  "
                  f"lr {lr:.2e}  {rate:.1f} samples/s  ETA {eta:.1f} min" + ("" if aux_ema is None else "  aux " + " ".join(
                      f"{k} {v:.2f}" for k, v in aux_ema.items())), flush=True)
            log.write(json.dumps({"step": step, "minutes": el / 60, "loss": ema[0], "acc": ema[1], "lr": lr,
                                  "samples_per_s": rate, "eta_minutes": eta}) + "\n")
            log.flush()
        if now - last_ckpt > 300:
            last_ckpt = now
            save("last")
    if main_rank:
        save("last")
        save("final")
        print(f"done: {step} steps, {seen} samples in {(time.time() - t0) / 60:.1f} min", flush=True)
    if dist is not None:
        # the processes must have ended with the same weights; say so loudly if not
        with torch.no_grad():
            check = torch.cat([p.detach().reshape(-1) for p in model.parameters()]).double().sum().reshape(1)
            lo, hi = check.clone(), check.clone()
            dist.all_reduce(lo, op=dist.ReduceOp.MIN)
            dist.all_reduce(hi, op=dist.ReduceOp.MAX)
        if main_rank:
            print(f"processes agree on the weights: {'yes' if float(hi - lo) < 1e-6 * max(1.0, abs(float(hi))) else 'NO'} "
                  f"(checksum spread {float(hi - lo):.2e})", flush=True)
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
