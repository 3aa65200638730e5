"""lego-tiny: LEGO's shape at a size a 2-core CPU can train in about an hour.

vision encoder (conv stem -> grid tokens) -> query fusion -> MLP projector -> image tokens
video encoder (same stem per frame -> fusion -> pool per frame + temporal embedding) -> video tokens
causal pre-LN decoder with a key/value cache, tied input/output embeddings.

Query fusion: before the decoder, the visual tokens cross-attend to the embeddings of the human
turns (latest first). A small decoder trained for an hour otherwise learns to box *an* object and
ignore the question; letting the encoder see the question breaks that plateau (see DESIGN.md).
A bundle without fusion (LEGO-7B) simply has no query inputs on its encoders.
"""
from __future__ import annotations

import math
from typing import Optional
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab_size: int
    d_model: int = 128
    n_layers: int = 4
    n_heads: int = 4
    d_ff: int = 512
    max_positions: int = 640
    image_size: int = 96
    image_grid: int = 8
    video_frames: int = 16
    frame_size: int = 48
    stem_channels: int = 128
    query_max: int = 64
    audio_tokens: int = 0  # 0 = no audio encoder (stage 5 and earlier)
    audio_mels: int = 64
    audio_frames: int = 98
    audio_channels: int = 96
    fusion_hears: bool = False  # v2: the image's fusion also attends to the turn's sound tokens
    sound_fusion: bool = False  # v2.1: the sound tokens attend to the question before the decoder (as video frames do)

    def to_dict(self):
        return asdict(self)


class Stem(nn.Module):
    """Conv stem: total stride = size / grid (12 for 96->8 and 48->4)."""

    def __init__(self, c: int):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 32, 3, 2, 1), nn.BatchNorm2d(32), nn.GELU(),
            nn.Conv2d(32, 64, 3, 2, 1), nn.BatchNorm2d(64), nn.GELU(),
            nn.Conv2d(64, 64, 3, 1, 1), nn.BatchNorm2d(64), nn.GELU(),
            nn.Conv2d(64, c, 3, 3, 0), nn.BatchNorm2d(c), nn.GELU(),
        )

    def forward(self, x):  # [N,3,H,W] -> [N, h*w, c]
        y = self.net(x)
        return y.flatten(2).transpose(1, 2)


class Attention(nn.Module):
    def __init__(self, d: int, h: int):
        super().__init__()
        self.h, self.hd = h, d // h
        self.q = nn.Linear(d, d)
        self.kv = nn.Linear(d, 2 * d)
        self.o = nn.Linear(d, d)

    def split(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.h, self.hd).transpose(1, 2)

    def forward(self, x, ctx, bias):
        q = self.split(self.q(x))
        k, v = self.kv(ctx).chunk(2, dim=-1)
        k, v = self.split(k), self.split(v)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(self.hd) + bias
        y = att.softmax(-1) @ v
        b, _, t, _ = y.shape
        return self.o(y.transpose(1, 2).reshape(b, t, self.h * self.hd))


class Fusion(nn.Module):
    """Visual tokens attend to the question (cross-attention + MLP, both residual)."""

    def __init__(self, cfg: Config, hears: Optional[bool] = None):
        super().__init__()
        d = cfg.d_model
        self.qpos = nn.Embedding(cfg.query_max, d)
        self.ln_x = nn.LayerNorm(d)
        self.ln_q = nn.LayerNorm(d)
        self.att = Attention(d, cfg.n_heads)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))
        self.ln_m = nn.LayerNorm(d)
        self.qmean = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))
        # v2: the image's fusion hears the turn's sound too ("where does this sound come from?" names no
        # shape: the sound does), as more keys and its own mean; zero-initialised, so stage 5 is unchanged
        self.hears = cfg.audio_tokens > 0 and cfg.fusion_hears if hears is None else hears
        if self.hears:
            self.ln_a = nn.LayerNorm(d)
            self.amean = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))
            self.ln_ak = nn.LayerNorm(d)

    def forward(self, x, q_emb, q_mask, a_emb=None, a_mask=None):
        # x [N,T,d]; q_emb [N,Q,d]; q_mask [N,Q] (1 = real token); a_emb [N,A,d] sound tokens, a_mask [N,A]
        # early fusion as in the probe (DESIGN.md): every visual token gets the question's mean, so the
        # per-token MLPs can match "asked for" against "what is here"; then cross-attention per token
        m = q_mask[..., None].to(x.dtype)
        mean = (q_emb * m).sum(1) / m.sum(1).clamp(min=1.0)
        x = x + self.qmean(self.ln_m(mean))[:, None, :]
        qpos = torch.arange(q_emb.shape[1], device=x.device)
        q = self.ln_q(q_emb + self.qpos(qpos)[None])
        bias = (1.0 - q_mask[:, None, None, :].to(x.dtype)) * -1e4
        if a_emb is not None and self.hears:
            am = a_mask[..., None].to(x.dtype)
            heard = (am.sum(1) > 0).to(x.dtype)  # [N,1]: no sound, no term
            amean = (a_emb * am).sum(1) / am.sum(1).clamp(min=1.0)
            x = x + (self.amean(self.ln_a(amean)) * heard)[:, None, :]
            q = torch.cat([q, self.ln_ak(a_emb)], 1)
            bias = torch.cat([bias, (1.0 - a_mask[:, None, None, :].to(x.dtype)) * -1e4], -1)
        x = x + self.att(self.ln_x(x), q, bias)
        return x + self.mlp(self.ln2(x))


def fourier(v: torch.Tensor, k: int) -> torch.Tensor:
    """F(v) = [cos(pi j v), sin(pi j v)], j = 1..k: the code numbers, positions and times share."""
    ang = math.pi * v[..., None] * torch.arange(1, k + 1, dtype=v.dtype, device=v.device)
    return torch.cat([ang.cos(), ang.sin()], -1)


def fourier_k(d: int) -> int:
    return max(1, min(24, d * 3 // 8 // 2))


class AudioEncoder(nn.Module):
    """Log-mel clips [B, C, mels, frames] -> ``tokens`` sound tokens [B, tokens, d].

    Per clip, a conv over mel x frames (stride 8, then the mel axis folded) gives one token per
    ~80 ms; each token gets its clip's time code (the clip centre (i + 0.5) / C written as F(t), the
    basis the span tokens start in) and a learned within-clip position; a few learned queries attend
    to all of them (two rounds of cross-attention + MLP) and a projector makes them decoder inputs.
    C is free (3 clips for a sound, 8 for a soundtrack)."""

    def __init__(self, cfg: Config):
        super().__init__()
        d, c = cfg.d_model, cfg.audio_channels
        self.conv = nn.Sequential(
            nn.Conv2d(1, 32, 3, 2, 1), nn.GELU(),
            nn.Conv2d(32, 64, 3, 2, 1), nn.GELU(),
            nn.Conv2d(64, c, 3, 2, 1), nn.GELU(),
        )
        mels = cfg.audio_mels
        for _ in range(3):
            mels = (mels + 1) // 2
        frames = cfg.audio_frames
        for _ in range(3):
            frames = (frames + 1) // 2
        self.fold = nn.Conv2d(c, d, (mels, 1))  # the mel axis into channels: [N, d, 1, T]
        self.frame_pos = nn.Parameter(torch.zeros(frames, d))
        self.k = fourier_k(d)
        self.time = nn.Linear(2 * self.k, d, bias=False)
        self.queries = nn.Parameter(torch.zeros(cfg.audio_tokens, d))
        self.ln_t = nn.LayerNorm(d)
        self.rounds = nn.ModuleList()
        for _ in range(2):
            self.rounds.append(nn.ModuleDict({"ln_q": nn.LayerNorm(d), "att": Attention(d, cfg.n_heads),
                                              "ln2": nn.LayerNorm(d),
                                              "mlp": nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))}))
        self.proj = nn.Sequential(nn.Linear(d, d), nn.GELU(), nn.Linear(d, d))
        self.query_time = nn.Parameter(torch.zeros(cfg.audio_tokens, d))

    def forward(self, feats, parts: bool = False):
        b, c = feats.shape[0], feats.shape[1]
        x = self.conv(feats.flatten(0, 1)[:, None])
        x = self.fold(x).flatten(2).transpose(1, 2)  # [B*C, T, d]
        t = x.shape[1]
        x = x + self.frame_pos[None, :t]
        centres = (torch.arange(c, dtype=feats.dtype, device=feats.device) + 0.5) / c
        code = self.time(fourier(centres, self.k))  # [C, d]
        x = x.view(b, c, t, -1) + code[None, :, None, :]
        mem = self.ln_t(x.reshape(b, c * t, -1))
        q = self.queries[None].expand(b, -1, -1)
        zero = torch.zeros((1, 1, 1, 1), dtype=feats.dtype, device=feats.device)
        for r in self.rounds:
            q = q + r["att"](r["ln_q"](q), mem, zero)
            q = q + r["mlp"](r["ln2"](q))
        out = self.proj(q) + self.query_time[None]
        return (out, q) if parts else out


class Block(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        d = cfg.d_model
        self.ln1 = nn.LayerNorm(d)
        self.h, self.hd = cfg.n_heads, d // cfg.n_heads
        self.qkv = nn.Linear(d, 3 * d)
        self.o = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, cfg.d_ff), nn.GELU(), nn.Linear(cfg.d_ff, d))

    def forward(self, x, bias, past_k=None, past_v=None):
        """bias: [1 or B, 1, T, S] additive mask. Keys/values are returned as [B, H, S, hd].
        Written with -1 reshapes, one split and batched matmuls so that the exported graph needs few
        shape computations (each is a node the runtime dispatches at every decoding step; export.py
        folds the remaining batch-size lookups into Reshape's "copy this dimension")."""
        h, hd = self.h, self.hd
        q, k, v = self.qkv(self.ln1(x)).split(h * hd, dim=-1)  # one Split node (chunk exports as 9)
        heads = (x.shape[0], -1, h, hd)
        q = (q * (1.0 / math.sqrt(hd))).view(heads).transpose(1, 2)
        k = k.view(heads).transpose(1, 2)
        v = v.view(heads).transpose(1, 2)
        new_k, new_v = k, v
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        att = (q @ k.transpose(-1, -2) + bias).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(x.shape[0], -1, h * hd)
        x = x + self.o(y)
        x = x + self.mlp(self.ln2(x))
        return x, k, v, new_k, new_v


class LegoTiny(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.tok = nn.Embedding(cfg.vocab_size, d)
        self.pos = nn.Embedding(cfg.max_positions, d)
        self.stem = Stem(cfg.stem_channels)
        self.stem_proj = nn.Linear(cfg.stem_channels, d)
        g, fg = cfg.image_grid, cfg.image_grid * cfg.frame_size // cfg.image_size
        self.img_row, self.img_col = nn.Parameter(torch.zeros(g, d)), nn.Parameter(torch.zeros(g, d))
        self.vid_row, self.vid_col = nn.Parameter(torch.zeros(fg, d)), nn.Parameter(torch.zeros(fg, d))
        self.vid_time = nn.Parameter(torch.zeros(cfg.video_frames, d))
        for p in (self.img_row, self.img_col, self.vid_row, self.vid_col, self.vid_time):
            nn.init.normal_(p, std=0.02)
        self.fusion = Fusion(cfg)
        self.img_proj = nn.Sequential(nn.Linear(d, d), nn.GELU(), nn.Linear(d, d))
        self.vid_proj = nn.Sequential(nn.Linear(d, d), nn.GELU(), nn.Linear(d, d))
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layers)])
        self.ln_f = nn.LayerNorm(d)
        self.audio = AudioEncoder(cfg) if cfg.audio_tokens else None
        # v2.1: "when is the red star heard?" needs each sound token to know whether it is the one asked
        # about (as each video frame does from the fusion) and which time slot it is. v2's sound tokens have
        # norm ~31 against a time code of ~0.8 (video tokens: ~3.7 against ~1.4), so the decoder could not
        # tell the slots apart. The decoder's tokens are the encoder's normalised to the video tokens' scale,
        # with a time code in the numbers' basis (as vid_time), read against the question by a fusion of their
        # own; the image's fusion goes on hearing the encoder's own tokens. Not under ``audio`` (which
        # audio_pretrain.py trains and stage 6 freezes).
        self.sound_fuse = Fusion(cfg, hears=False) if cfg.audio_tokens and cfg.sound_fusion else None
        if self.sound_fuse is not None:
            self.sound_norm = nn.LayerNorm(d)
            self.sound_time = nn.Parameter(torch.zeros(cfg.audio_tokens, d))
            self.sound_out = nn.Sequential(nn.Linear(d, d), nn.GELU(), nn.Linear(d, d))
        self.apply(self._init)
        if self.audio is not None:
            self.audio_init()
            if cfg.fusion_hears:
                self.fusion_hearing_init()
        if self.sound_fuse is not None:
            self.sound_fusion_init()

    def fusion_hearing_init(self) -> None:
        """The hearing terms start silent: a model warm-started from stage 5 sees as before."""
        f = self.fusion
        with torch.no_grad():
            f.amean[2].weight.zero_()
            f.amean[2].bias.zero_()

    def sound_fusion_init(self) -> None:
        """The decoder's sound tokens start as the encoder's at the video tokens' scale (norm ~3.7) plus
        their slot's time code at about vid_time's strength; the projector's residual starts at zero."""
        k, amp = fourier_k(self.cfg.d_model), 0.3
        n = self.cfg.audio_tokens
        with torch.no_grad():
            self.sound_norm.weight.fill_(0.33)
            tt = (torch.arange(n, dtype=torch.float32) + 0.5) / n
            self.sound_time.zero_()
            self.sound_time[:, : 2 * k] += fourier(tt, k) * amp
            self.sound_out[2].weight.zero_()
            self.sound_out[2].bias.zero_()

    def audio_init(self) -> None:
        """Clip times start in the span tokens' Fourier basis (like the video's frame times); the 8
        queries start as distinct vectors, each with the time code of one of 8 equal parts."""
        a = self.audio
        k, amp = a.k, 0.15
        with torch.no_grad():
            a.time.weight.zero_()
            a.time.weight[: 2 * k, :].copy_(torch.eye(2 * k) * amp)
            nn.init.normal_(a.frame_pos, std=0.02)
            nn.init.normal_(a.queries, std=0.5)
            n = a.queries.shape[0]
            tt = (torch.arange(n, dtype=torch.float32) + 0.5) / n
            a.query_time.zero_()
            a.query_time[:, : 2 * k] += fourier(tt, k) * amp

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)

    # -- encoders ---------------------------------------------------------------------------
    def _grid(self, x, row, col):
        f = self.stem_proj(self.stem(x))
        return f + self._pos(row, col)[None]

    @staticmethod
    def _pos(row, col):
        g = row.shape[0]
        return (row[:, None, :] + col[None, :, :]).reshape(g * g, -1)

    def encode_image(self, pixel_values, query_ids, query_mask, parts: bool = False, sound=None, sound_mask=None):
        """``sound`` [N, A, d]: the turn's sound tokens (the audio encoder's output) with ``sound_mask``
        [N, A] (0 = no sound for that image); only bundles with an audio encoder take them."""
        g = self._grid(pixel_values, self.img_row, self.img_col)
        x = self.fusion(g, self.tok(query_ids), query_mask, sound, sound_mask)
        # positions again after the projector: where a token is stays readable to the decoder
        out = self.img_proj(x) + self._pos(self.img_row, self.img_col)[None]
        return (out, g, x) if parts else out

    def encode_video(self, frames, query_ids, query_mask, parts: bool = False):
        b, n = frames.shape[0], frames.shape[1]
        x = self._grid(frames.flatten(0, 1), self.vid_row, self.vid_col)  # [B*F, g*g, d]
        q = self.tok(query_ids)
        q = q[:, None].expand(b, n, q.shape[1], q.shape[2]).flatten(0, 1)
        qm = query_mask[:, None].expand(b, n, query_mask.shape[1]).flatten(0, 1)
        x = self.fusion(x, q, qm).mean(1).view(b, n, -1)
        out = self.vid_proj(x + self.vid_time[:n][None]) + self.vid_time[:n][None]
        return (out, x) if parts else out

    def encode_audio(self, feats, query_ids=None, query_mask=None, parts: bool = False, heard: bool = False):
        """Sound tokens [B, A, d] for the decoder. With a sound fusion (``cfg.sound_fusion``) they have read
        the question (``query_ids``/``query_mask``) and carry their slot's time; ``heard=True`` returns
        (decoder tokens, the encoder's own tokens: what an image's fusion that hears takes)."""
        if parts:
            return self.audio(feats, parts)
        tokens = self.audio(feats)
        out = tokens
        if self.sound_fuse is not None:
            if query_ids is None:
                raise ValueError("a model with a sound fusion needs the question to encode a sound")
            x = self.sound_norm(tokens) + self.sound_time[None]
            x = self.sound_fuse(x, self.tok(query_ids), query_mask)
            out = x + self.sound_out(x) + self.sound_time[None]
        return (out, tokens) if heard else out

    # -- decoder ----------------------------------------------------------------------------
    def decode(self, inputs_embeds, attention_mask, position_ids, past=None, steps=None):
        """inputs_embeds [B,T,d]; attention_mask [B,P+T]; position_ids [B,T];
        past: list of (k, v) [B,H,P,hd] or None. Returns logits and present; ``steps``, when a list,
        receives this call's own (k, v) [B,H,T,hd] per layer."""
        h, present = self.hidden(inputs_embeds, attention_mask, position_ids, past, steps)
        return self.logits(h), present

    def logits(self, h):
        return self.ln_f(h) @ self.tok.weight.t()

    def hidden(self, inputs_embeds, attention_mask, position_ids, past=None, steps=None):
        t = inputs_embeds.shape[1]
        p = 0 if past is None else past[0][0].shape[2]
        total = p + t
        x = inputs_embeds + self.pos(position_ids)
        qi = torch.arange(t, device=x.device)[:, None] + p
        kj = torch.arange(total, device=x.device)[None, :]
        causal = kj <= qi
        if attention_mask is None:  # training: no padding before real tokens, causal is enough
            bias = ((~causal).to(x.dtype) * -1e4)[None, None]
        else:
            keep = causal[None, None] & (attention_mask[:, None, None, :] > 0)
            bias = (~keep).to(x.dtype) * -1e4
        present = []
        for i, blk in enumerate(self.blocks):
            pk, pv = (past[i] if past is not None else (None, None))
            x, k, v, new_k, new_v = blk(x, bias, pk, pv)
            present.append((k, v))
            if steps is not None:
                steps.append((new_k, new_v))
        return x, present

    def fourier_init(self, coordinate_families, frame_times) -> None:
        """Start positions and number tokens in one shared basis, so that "where" is easy to learn.

        A value v in [0, 1] is written as F(v) = [cos(pi k v), sin(pi k v)], k = 1..K. Number tokens
        (tied input/output embeddings) start at [F(v), F(v), 0]; image columns at [F(x), 0, 0], rows at
        [0, F(y), 0]; video frames at [F(t), 0, 0]. Copying a token's position then already scores the
        right coordinate tokens highest, and a box in a question points at the right image tokens.
        Only the starting point: everything stays trainable.
        coordinate_families: list of (first token id, count) with values i / (count - 1)."""
        d = self.cfg.d_model
        k = max(1, min(24, d * 3 // 8 // 2))
        amp = 0.15

        def four(v: torch.Tensor) -> torch.Tensor:
            ang = math.pi * v[:, None] * torch.arange(1, k + 1, dtype=torch.float32)[None]
            return torch.cat([ang.cos(), ang.sin()], 1)

        with torch.no_grad():
            for base, n in coordinate_families:
                f = four(torch.arange(n, dtype=torch.float32) / (n - 1)) * amp
                self.tok.weight[base: base + n, : 2 * k] += f
                self.tok.weight[base: base + n, 2 * k: 4 * k] += f
            for row, col in ((self.img_row, self.img_col), (self.vid_row, self.vid_col)):
                g = row.shape[0]
                f = four((torch.arange(g, dtype=torch.float32) + 0.5) / g) * amp
                col[:, : 2 * k] += f
                row[:, 2 * k: 4 * k] += f
            t = torch.tensor(frame_times, dtype=torch.float32)[: self.vid_time.shape[0]]
            self.vid_time[: len(t), : 2 * k] += four(t) * amp

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())
