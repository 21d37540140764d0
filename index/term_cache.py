"""Frequent terms' whole-row score vectors, kept between questions within a memory budget.

Eviction is least-recently-used, admission is frequency-aware (the TinyLFU idea, Einziger et al.): when
the cache is full a newly computed vector replaces the least recently used one only if its term has
been asked for more often. Under plain LRU a set of frequent terms a little larger than the budget is
evicted just before each comes back, so every one is recomputed every time; with admission the cache
keeps a stable share of them. Use counts are halved now and then, so yesterday's questions fade.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict

import numpy as np


class TermCache:
    def __init__(self, budget_bytes: int):
        self.budget_bytes = budget_bytes
        self._vectors: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._bytes = 0
        self._uses: Counter = Counter()
        self._since_halving = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._vectors)

    def __contains__(self, key: tuple) -> bool:
        return key in self._vectors

    def get(self, key: tuple) -> np.ndarray | None:
        """The vector (counted as a use of its term), or None."""
        with self._lock:
            self._count(key)
            vector = self._vectors.get(key)
            if vector is not None:
                self._vectors.move_to_end(key)
            return vector

    def put(self, key: tuple, vector: np.ndarray) -> bool:
        """Keep ``vector`` if it fits, or if its term is used more than the least recent one; → kept."""
        with self._lock:
            if key in self._vectors:
                return True
            if vector.nbytes > self.budget_bytes:
                return False
            while self._vectors and self._bytes + vector.nbytes > self.budget_bytes:
                oldest = next(iter(self._vectors))
                if self._uses[key] <= self._uses[oldest]:
                    return False
                self._bytes -= self._vectors.pop(oldest).nbytes
            self._vectors[key] = vector
            self._bytes += vector.nbytes
            return True

    def _count(self, key: tuple) -> None:
        self._uses[key] += 1
        self._since_halving += 1
        capacity = max(1, len(self._vectors))
        if self._since_halving > 20 * capacity or len(self._uses) > 50 * capacity + 10_000:
            self._uses = Counter({k: n // 2 for k, n in self._uses.items() if n > 1})
            self._since_halving = 0
