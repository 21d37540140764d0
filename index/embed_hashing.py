"""The weightless default embedder: hashed lexical features, numpy only.

No model file is needed, so hoidap answers questions on a machine that has
never reached the Hugging Face hub. The vector is a signed feature-hashing of:

* match-form syllables and their bigrams (exact Vietnamese spelling),
* folded syllables and their bigrams, so "hoi nghi" meets "hội nghị",
* character 3-grams of folded syllables, so a typo still shares most grams.

Counts are sublinear (1 + log tf) and rows are L2-normalised, so the dot
product is a cosine over weighted lexical overlap. Queries and passages are
embedded the same way. Hashes are blake2b, never Python's salted ``hash()``,
so a vector is identical across processes and machines — the index depends
on it. Changing any feature or weight means a new ``name`` (…-v2).
"""

from __future__ import annotations

import threading
from hashlib import blake2b

import numpy as np

from index.textnorm import fold, tokens

_FEATURE_WEIGHTS = {"syllable": 1.0, "folded": 0.8, "bigram": 1.0, "folded_bigram": 0.8, "chargram": 0.3}
# Function words carry little topic; without IDF they would dominate the vector.
_STOPWORD_FACTOR = 0.25
_STOPWORDS = frozenset(
    "của và các là có được trong cho với những này đã không một để theo từ đến khi tại về ra thì "
    "cũng lại như nhưng vào sẽ đang do mà nên hay hoặc rằng bị vẫn đó nào gì ở".split()
)
_CHUNK = 256  # texts per vectorised pass: bounds memory, keeps arrays cache-friendly
_MAX_VOCAB = 1_000_000  # the per-token cache is reset beyond this (unbounded numbers)
_EMPTY = "\x00empty"  # a text without tokens still gets a unit vector

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TAG_BIGRAM = np.uint64(0x5EED0001)
_TAG_FOLDED_BIGRAM = np.uint64(0x5EED0002)
_TAG_DOC = np.uint64(0x5EED0003)


def _h64(tag: str, text: str) -> int:
    return int.from_bytes(blake2b(f"{tag}:{text}".encode(), digest_size=8).digest(), "little")


def _mix(a: np.ndarray, b: np.ndarray, tag: np.uint64) -> np.ndarray:
    """splitmix64 finaliser of an ordered pair: stable, vectorised, well spread."""
    x = (a * _GOLDEN + b) ^ tag
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


class _Vocab:
    """Per-syllable hashes computed once; arrays grow by doubling."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.h_match = np.zeros(1024, np.uint64)
        self.h_fold = np.zeros(1024, np.uint64)
        self.scale = np.zeros(1024, np.float32)
        self.gram_start = np.zeros(1024, np.int64)
        self.gram_len = np.zeros(1024, np.int64)
        self.grams = np.zeros(4096, np.uint64)
        self.n_grams = 0

    def id_of(self, token: str) -> int:
        i = self.ids.get(token)
        return self._add(token) if i is None else i

    def _add(self, token: str) -> int:
        i = len(self.ids)
        if i == len(self.h_match):
            for attr in ("h_match", "h_fold", "scale", "gram_start", "gram_len"):
                old = getattr(self, attr)
                setattr(self, attr, np.concatenate([old, np.zeros_like(old)]))
        folded = fold(token)
        padded = f"#{folded}#"
        grams = [_h64("c", padded[j : j + 3]) for j in range(len(padded) - 2)]
        while self.n_grams + len(grams) > len(self.grams):
            self.grams = np.concatenate([self.grams, np.zeros_like(self.grams)])
        self.grams[self.n_grams : self.n_grams + len(grams)] = grams
        self.gram_start[i], self.gram_len[i] = self.n_grams, len(grams)
        self.n_grams += len(grams)
        self.h_match[i] = _h64("m", token)
        self.h_fold[i] = _h64("f", folded)
        self.scale[i] = _STOPWORD_FACTOR if token in _STOPWORDS else 1.0
        self.ids[token] = i
        return i


class HashingEmbedder:
    """Lexical feature-hashing embedder ("lexical-hash-v1"): no weights, no network."""

    name = "lexical-hash-v1"

    def __init__(self, dimension: int = 256) -> None:
        if dimension < 16:
            raise ValueError("dimension must be at least 16")
        self._dimension = dimension
        self._vocab = _Vocab()
        # The vocabulary cache is mutated while embedding; the web server shares one embedder.
        self._lock = threading.Lock()

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)

    def _embed(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), self._dimension), np.float32)
        with self._lock:
            for start in range(0, len(texts), _CHUNK):
                out[start : start + _CHUNK] = self._embed_chunk(texts[start : start + _CHUNK])
        return out

    def _embed_chunk(self, texts: list[str]) -> np.ndarray:
        if len(self._vocab.ids) > _MAX_VOCAB:
            self._vocab = _Vocab()
        vocab, n = self._vocab, len(texts)
        id_of = vocab.id_of
        per_doc = [[id_of(t) for t in tokens(text)] or [id_of(_EMPTY)] for text in texts]
        lens = np.fromiter((len(d) for d in per_doc), np.int64, count=n)
        ids = np.fromiter((i for d in per_doc for i in d), np.int64, count=int(lens.sum()))
        doc = np.repeat(np.arange(n, dtype=np.int64), lens)

        hm, hf, scale = vocab.h_match[ids], vocab.h_fold[ids], vocab.scale[ids]
        same_doc = doc[1:] == doc[:-1]
        bigram_doc = doc[:-1][same_doc]
        bm = _mix(hm[:-1], hm[1:], _TAG_BIGRAM)[same_doc]
        bf = _mix(hf[:-1], hf[1:], _TAG_FOLDED_BIGRAM)[same_doc]

        # Gather each token's char-grams from the flat store (CSR layout).
        glen = vocab.gram_len[ids]
        total = int(glen.sum())
        ends = np.cumsum(glen)
        gidx = np.arange(total, dtype=np.int64) - np.repeat(ends - glen, glen) + np.repeat(vocab.gram_start[ids], glen)
        grams, gram_doc = vocab.grams[gidx], np.repeat(doc, glen)
        gram_w = np.repeat(scale, glen) * np.float32(_FEATURE_WEIGHTS["chargram"])

        w = _FEATURE_WEIGHTS
        feats = np.concatenate([hm, hf, bm, bf, grams])
        docs = np.concatenate([doc, doc, bigram_doc, bigram_doc, gram_doc])
        weights = np.concatenate([
            scale * np.float32(w["syllable"]),
            scale * np.float32(w["folded"]),
            np.full(len(bm), w["bigram"], np.float32),
            np.full(len(bf), w["folded_bigram"], np.float32),
            gram_w,
        ])
        return self._scatter(feats, docs, weights, n)

    def _scatter(self, feats: np.ndarray, docs: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
        # tf is counted per (document, feature); a feature seen with several weights
        # (e.g. a folded form shared by a stopword) takes their mean.
        keys = _mix(feats, docs.astype(np.uint64), _TAG_DOC)
        _, first, inverse, tf = np.unique(keys, return_index=True, return_inverse=True, return_counts=True)
        wsum = np.bincount(inverse, weights=weights, minlength=len(tf))
        value = (wsum / tf) * (1.0 + np.log(tf))
        h = feats[first]
        bucket = (h % np.uint64(self._dimension)).astype(np.int64)
        sign = np.where((h >> np.uint64(63)) == 1, -1.0, 1.0)
        flat = np.bincount(docs[first] * self._dimension + bucket, weights=sign * value, minlength=n * self._dimension)
        vecs = flat.reshape(n, self._dimension)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        # Cancelling signs can (very rarely) zero a row; leave it zero rather than divide by 0.
        return (vecs / np.where(norms > 0, norms, 1.0)).astype(np.float32)
