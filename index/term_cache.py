"""Frequent terms' whole-row score vectors, kept between questions within a memory budget.

The policy is W-TinyLFU (Einziger, Friedman & Manes): every new vector enters a small window kept
least-recently-used (a follow-up, or the answer after its retrieval, asks the same words again at
once); a vector leaving the window enters the main part only if its term has been asked for more
often than the main part's least recently used one, which it then replaces. Under plain LRU a set of
frequent terms a little larger than the budget is evicted just before each comes back, so every one is
recomputed every time; here the main part keeps a stable share of them. Use counts are halved now and
then, so yesterday's questions fade.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict

import numpy as np

WINDOW_SHARE = 0.1  # of the budget, for vectors not yet judged by their use count


class TermCache:
    def __init__(self, budget_bytes: int):
        self.budget_bytes = budget_bytes
        self._window: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._main: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._bytes = {"window": 0, "main": 0}
        self._uses: Counter = Counter()
        self._since_halving = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._window) + len(self._main)

    def __contains__(self, key: tuple) -> bool:
        return key in self._window or key in self._main

    @property
    def nbytes(self) -> int:
        return self._bytes["window"] + self._bytes["main"]

    def get(self, key: tuple) -> np.ndarray | None:
        """The vector (counted as a use of its term), or None."""
        with self._lock:
            self._count(key)
            for part in (self._window, self._main):
                vector = part.get(key)
                if vector is not None:
                    part.move_to_end(key)
                    return vector
            return None

    def put(self, key: tuple, vector: np.ndarray) -> None:
        with self._lock:
            if key in self._window or key in self._main or vector.nbytes > self.budget_bytes:
                return
            self._window[key] = vector
            self._bytes["window"] += vector.nbytes
            window_budget = max(vector.nbytes, int(self.budget_bytes * WINDOW_SHARE))
            while len(self._window) > 1 and self._bytes["window"] > window_budget:
                candidate, candidate_vector = self._window.popitem(last=False)
                self._bytes["window"] -= candidate_vector.nbytes
                self._admit(candidate, candidate_vector)
            while self._main and self.nbytes > self.budget_bytes:  # a window vector larger than the rest
                self._bytes["main"] -= self._main.popitem(last=False)[1].nbytes

    def _admit(self, key: tuple, vector: np.ndarray) -> None:
        main_budget = self.budget_bytes - self._bytes["window"]
        while self._main and self._bytes["main"] + vector.nbytes > main_budget:
            oldest = next(iter(self._main))
            if self._uses[key] <= self._uses[oldest]:
                return  # dropped: asked no more often than what it would replace
            self._bytes["main"] -= self._main.pop(oldest).nbytes
        if self._bytes["main"] + vector.nbytes <= main_budget:
            self._main[key] = vector
            self._bytes["main"] += vector.nbytes

    def _count(self, key: tuple) -> None:
        self._uses[key] += 1
        self._since_halving += 1
        capacity = max(1, len(self))
        if self._since_halving > 20 * capacity or len(self._uses) > 50 * capacity + 10_000:
            self._uses = Counter({k: n // 2 for k, n in self._uses.items() if n > 1})
            self._since_halving = 0
