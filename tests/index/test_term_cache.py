"""The frequent-term cache keeps what was just asked and a stable share of a larger working set."""

import numpy as np

from index.term_cache import TermCache


def _vector(n: int = 1000) -> np.ndarray:
    return np.ones(n, dtype=np.float32)


def _ask(cache: TermCache, key: str) -> bool:
    if cache.get(key) is not None:
        return True
    cache.put(key, _vector())
    return False


def test_a_cycle_of_terms_larger_than_the_budget_still_hits():
    # Room for ten vectors, twelve terms asked in turn (as a portal's frequent words recur): plain LRU
    # evicts each just before it is asked again and never hits.
    cache = TermCache(budget_bytes=10 * _vector().nbytes)
    keys = [f"t{i}" for i in range(12)]
    hits = sum(_ask(cache, key) for _ in range(10) for key in keys)
    assert hits >= 50
    assert cache.nbytes <= cache.budget_bytes


def test_what_was_just_asked_is_kept_and_the_most_asked_survive():
    cache = TermCache(budget_bytes=10 * _vector().nbytes)
    for _ in range(5):
        for key in ("often-1", "often-2"):
            _ask(cache, key)
    for i in range(40):  # a stream of words asked once each
        _ask(cache, f"once-{i}")
        assert cache.get(f"once-{i}") is not None  # the answer after its retrieval finds it
    assert "often-1" in cache and "often-2" in cache
    assert cache.nbytes <= cache.budget_bytes


def test_nothing_larger_than_the_budget_is_kept_and_counts_fade():
    cache = TermCache(budget_bytes=10)
    cache.put("big", _vector())
    assert len(cache) == 0
    for _ in range(50_000):
        cache.get("old")
    assert cache._uses["old"] < 50_000  # halved now and then
