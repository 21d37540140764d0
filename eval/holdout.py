"""Questions about articles that are not indexed — the commonest case a refusal is for.

``hoidap eval --corpus DIR --hold-out 0.5`` indexes the corpus without half of its articles (those whose ids
hash lowest, so the same ones every run and on every machine) and asks every gold question:
a question whose articles were all held out must now be refused (category ``held_out``, scored like an
unanswerable question); the others are scored as usual. Issue 9 measured hoidap this way on held-out news;
the trainer's out-of-corpus negatives imitate it with a filter (eval/train_data.py), which this measures
without one: the held-out articles' words are not in the index at all, as for a real user.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from eval.harness import GoldItem
from index.errors import HoidapError

CATEGORY = "held_out"


def _share(doc_id: str) -> float:
    return int(hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:8], 16) / 0x100000000


def split_corpus(files: list[Path], fraction: float) -> tuple[list[Path], set[str]]:
    """(files to index, doc ids held out): the ``fraction`` of articles whose ids hash lowest — the same
    ones on every run and every machine, whatever order the files are listed in."""
    if not 0.0 < fraction < 1.0:
        raise HoidapError(f"--hold-out {fraction}: cần một tỉ lệ giữa 0 và 1 (a fraction between 0 and 1).")
    from index.loaders import assign_doc_ids

    ids = assign_doc_ids(files)
    held = set(sorted(ids.values(), key=_share)[:round(fraction * len(ids))])
    kept = [path for path in files if ids[path] not in held]
    if not kept or not held:
        raise HoidapError(f"--hold-out {fraction}: với {len(files)} bài, không còn bài nào để lập chỉ mục hoặc để "
                          "giữ lại (nothing left to index or to hold out).")
    return kept, held


def with_held_out(items: list[GoldItem], held: set[str]) -> list[GoldItem]:
    """Answerable questions whose every article is held out become questions that must be refused."""
    return [replace(item, answerable=False, category=CATEGORY)
            if item.answerable and item.doc_ids and set(item.doc_ids) <= held else item for item in items]
