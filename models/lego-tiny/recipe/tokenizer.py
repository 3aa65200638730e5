"""lego-tiny's tokenizer, written as a standard ``tokenizer.json`` (WordPiece model, Split pre-tokenizer,
Replace+Fuse decoder) that any tokenizer.json reader loads, plus the same algorithm here for training.

Words carry their leading space (" red"), coordinates are single tokens ("0.112", " 0.430", and the
2-decimal span values), and every printable ASCII character is in the vocabulary both as a word start
and as a ``##`` continuation, so unknown words fall back to characters instead of ``<unk>``.
"""
from __future__ import annotations

import json
import re
from typing import Dict, Iterable, List

SPLIT_PATTERN = r" ?\d\.\d+| ?[A-Za-z]+| ?\d+| ?[^\sA-Za-z\d]|\s+"
PAD, UNK, SEP = "<pad>", "<unk>", "###"
MEDIA = {
    "image": ("<im_start>", "<im_patch>", "<im_end>"),
    "video": ("<vi_start>", "<vi_patch>", "<vi_end>"),
    "audio": ("<so_start>", "<so_patch>", "<so_end>"),
}
SPECIALS = [PAD, UNK, SEP] + [t for trip in MEDIA.values() for t in trip]
SYSTEM = ("A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, "
          "detailed, and polite answers to the human's questions.")
PRINTABLE = [chr(c) for c in range(32, 127)] + ["\n", "\t"]

_split = re.compile(SPLIT_PATTERN)
_special_split = re.compile("(" + "|".join(re.escape(t) for t in sorted(SPECIALS, key=len, reverse=True)) + ")")


def pre_tokenize(text: str) -> List[str]:
    return [m.group(0) for m in _split.finditer(text)]


def coordinate_tokens() -> Dict[str, List[str]]:
    """The four families of number tokens whose neighbours share soft labels in training."""
    c3 = [f"{i / 1000:.3f}" for i in range(1001)]
    c2 = [f"{i / 100:.2f}" for i in range(101)]
    return {"c3": c3, "c3s": [" " + t for t in c3], "c2": c2, "c2s": [" " + t for t in c2]}


def build_vocab(texts: Iterable[str]) -> List[str]:
    words = set()
    for t in texts:
        for seg in _special_split.split(t):
            if seg and seg not in SPECIALS:
                words.update(pre_tokenize(seg))
    fams = coordinate_tokens()
    fixed = set(SPECIALS)
    numbers = [t for f in fams.values() for t in f]
    chars = [c for c in PRINTABLE] + [" " + c for c in PRINTABLE if c not in " \n\t"]
    conts = ["##" + c for c in PRINTABLE if c != "#"]
    ints = [str(i) for i in range(0, 101)] + [" " + str(i) for i in range(0, 101)]
    vocab = list(SPECIALS)
    seen = set(vocab)
    for group in (numbers, ints, chars, conts, sorted(words)):
        for t in group:
            if t not in seen:
                vocab.append(t)
                seen.add(t)
    assert not (fixed - set(vocab))
    return vocab


def extend_vocab(vocab: List[str], texts: Iterable[str]) -> List[str]:
    """``vocab`` unchanged (old ids stay) followed by the new words of ``texts``, sorted."""
    have = set(vocab)
    words = set()
    for t in texts:
        for seg in _special_split.split(t):
            if seg and seg not in SPECIALS:
                words.update(w for w in pre_tokenize(seg) if w not in have)
    return list(vocab) + sorted(words)


class Tokenizer:
    def __init__(self, vocab: List[str]):
        self.vocab = vocab
        self.ids = {t: i for i, t in enumerate(vocab)}
        self.unk = self.ids[UNK]
        self.max_chars = 100

    @classmethod
    def load(cls, path: str) -> "Tokenizer":
        with open(path) as f:
            data = json.load(f)
        v = data["model"]["vocab"]
        vocab = [None] * len(v)
        for t, i in v.items():
            vocab[i] = t
        return cls(vocab)

    def _wordpiece(self, word: str) -> List[int]:
        if len(word) > self.max_chars:
            return [self.unk]
        out, start = [], 0
        while start < len(word):
            end, cur = len(word), None
            while start < end:
                sub = word[start:end] if start == 0 else "##" + word[start:end]
                if sub in self.ids:
                    cur = self.ids[sub]
                    break
                end -= 1
            if cur is None:
                return [self.unk]
            out.append(cur)
            start = end
        return out

    def encode(self, text: str) -> List[int]:
        out: List[int] = []
        for seg in _special_split.split(text):
            if not seg:
                continue
            if seg in self.ids and seg in SPECIALS:
                out.append(self.ids[seg])
                continue
            for w in pre_tokenize(seg):
                if w in self.ids:
                    out.append(self.ids[w])
                else:
                    out.extend(self._wordpiece(w))
        return out

    def decode(self, ids: Iterable[int], skip_special: bool = True) -> str:
        parts = []
        for i in ids:
            t = self.vocab[i]
            if skip_special and t in SPECIALS:
                continue
            parts.append(t.replace("##", ""))
        return "".join(parts)

    def to_json(self) -> dict:
        added = [{"id": self.ids[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                  "normalized": False, "special": True} for t in SPECIALS]
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": added,
            "normalizer": None,
            "pre_tokenizer": {"type": "Split", "pattern": {"Regex": SPLIT_PATTERN}, "behavior": "Isolated", "invert": False},
            "post_processor": None,
            "decoder": {"type": "Sequence", "decoders": [
                {"type": "Replace", "pattern": {"String": "##"}, "content": ""},
                {"type": "Fuse"}]},
            "model": {"type": "WordPiece", "unk_token": UNK, "continuing_subword_prefix": "##",
                      "max_input_chars_per_word": self.max_chars, "vocab": self.ids},
        }

    def save(self, path: str) -> None:
        with open(path, "w") as f:
            json.dump(self.to_json(), f, ensure_ascii=False)


def media_placeholder(kind: str, n: int) -> str:
    start, patch, end = MEDIA[kind]
    return start + patch * n + end + "\n"


def sanitize(text: str) -> str:
    """User text may not forge turn separators or media tokens."""
    for t in SPECIALS:
        text = text.replace(t, t.replace("<", "(").replace(">", ")").replace("###", "#"))
    return text


def placeholders(media: str, media_tokens: int, audio_tokens: int = 0) -> str:
    """The media placeholders before the first question: the image's or video's, then the sound's."""
    out = media_placeholder(media, media_tokens) if media else ""
    return out + (media_placeholder("audio", audio_tokens) if audio_tokens else "")


def build_prompt(turns: List[dict], media: str, media_tokens: int, open_answer: bool = True, audio_tokens: int = 0) -> str:
    """LEGO's template. ``turns`` are {human, assistant?}; the media go before the first question
    (image or video first, then the sound when there is one: ``audio_tokens`` > 0)."""
    out = SYSTEM + SEP
    for i, t in enumerate(turns):
        human = sanitize(t["human"])
        if i == 0:
            human = placeholders(media, media_tokens, audio_tokens) + human
        out += "Human: " + human + SEP
        if t.get("assistant") is not None:
            out += "Assistant: " + t["assistant"] + SEP
        elif open_answer:
            out += "Assistant:"
    return out
