"""The frequent-term cache keeps a stable share of a working set larger than its budget."""

import numpy as np

from index.term_cache import TermCache


def _vector(n: int = 1000) -> np.ndarray:
    return np.ones(n, dtype=np.float32)


def test_a_cycle_of_terms_larger_than_the_budget_still_hits():
    # Room for two vectors, three terms asked in turn (as a portal's frequent words recur): plain LRU
    # evicts each just before it is asked again and never hits.
    cache = TermCache(budget_bytes=2 * _vector().nbytes)
    hits = 0
    for _ in range(10):
        for key in ("a", "b", "c"):
            if cache.get(key) is not None:
                hits += 1
            else:
                cache.put(key, _vector())
    assert hits >= 15
    assert cache._bytes <= cache.budget_bytes


def test_a_term_asked_more_often_replaces_a_rarer_one():
    cache = TermCache(budget_bytes=2 * _vector().nbytes)
    for key in ("rare", "kept"):
        cache.get(key)
        cache.put(key, _vector())
    for _ in range(3):
        cache.get("frequent")
    assert cache.put("frequent", _vector())
    assert "frequent" in cache and "rare" not in cache and "kept" in cache
    cache.get("once")
    assert not cache.put("once", _vector())  # asked once: not worth a vector asked more often


def test_nothing_larger_than_the_budget_is_kept_and_counts_fade():
    cache = TermCache(budget_bytes=10)
    assert not cache.put("big", _vector())
    assert len(cache) == 0
    for _ in range(50_000):
        cache.get("old")
    assert cache._uses["old"] < 50_000  # halved now and then
