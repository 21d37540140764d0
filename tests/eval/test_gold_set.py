"""Validate the gold Q&A set built from the seed articles (eval/gold/seeds.jsonl).

Every row is checked on its own (parametrised by id), so a failure names the row.
Answers and evidence are compared after ``normalize_for_compare``, the same
normaliser the scorer uses, so "Đảng uỷ"/"Đảng ủy" and curly/straight quotes
do not matter, but any other difference from the article text does.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from index.textnorm import has_diacritics, normalize_for_compare

REPO_ROOT = Path(__file__).resolve().parents[2]
GOLD_PATH = REPO_ROOT / "eval" / "gold" / "seeds.jsonl"
SEEDS_DIR = REPO_ROOT / "seeds"

FIELDS: dict[str, type] = {
    "id": str,
    "question": str,
    "answers": list,
    "doc_ids": list,
    "evidence": str,
    "category": str,
    "answerable": bool,
}

MIN_PER_CATEGORY = {
    "number": 25,
    "person": 12,
    "date": 10,
    "place": 10,
    "multi_doc": 6,
    "paraphrase": 8,
    "no_diacritics": 8,
    "unanswerable": 12,
}
ALLOWED_CATEGORIES = set(MIN_PER_CATEGORY)
MIN_TOTAL = 80


def _load_lines() -> list[tuple[int, str]]:
    text = GOLD_PATH.read_text(encoding="utf-8")
    return [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


LINES = _load_lines()


def _parse_rows() -> list[dict]:
    rows = []
    for n, line in LINES:
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            row = {"id": f"<line {n}: invalid JSON>"}
        if not isinstance(row, dict):
            row = {"id": f"<line {n}: not an object>"}
        rows.append(row)
    return rows


ROWS = _parse_rows()
ROW_IDS = [str(row.get("id", f"<row {i}>")) for i, row in enumerate(ROWS)]


@lru_cache(maxsize=None)
def article_text(doc_id: str) -> str:
    """Normalised text of one seed article (raises if the file is missing)."""
    return normalize_for_compare((SEEDS_DIR / f"{doc_id}.txt").read_text(encoding="utf-8"))


def _articles(row: dict) -> list[str]:
    return [article_text(doc_id) for doc_id in row["doc_ids"]]


# --- whole-file checks -------------------------------------------------------


def test_gold_file_exists_and_is_utf8():
    assert GOLD_PATH.is_file(), f"missing {GOLD_PATH}"
    GOLD_PATH.read_bytes().decode("utf-8")


def test_every_line_is_a_json_object():
    bad = []
    for n, line in LINES:
        try:
            if not isinstance(json.loads(line), dict):
                bad.append(n)
        except json.JSONDecodeError:
            bad.append(n)
    assert not bad, f"lines that are not JSON objects: {bad}"


def test_ids_are_unique():
    dupes = [i for i, c in Counter(ROW_IDS).items() if c > 1]
    assert not dupes, f"duplicate ids: {dupes}"


def test_total_row_count():
    assert len(ROWS) >= MIN_TOTAL, f"only {len(ROWS)} rows, need ≥{MIN_TOTAL}"


@pytest.mark.parametrize("category", sorted(MIN_PER_CATEGORY))
def test_category_minimum(category):
    count = sum(1 for row in ROWS if row.get("category") == category)
    assert count >= MIN_PER_CATEGORY[category], (
        f"{category}: {count} rows, need ≥{MIN_PER_CATEGORY[category]}"
    )


def test_seed_directory_has_articles():
    assert sorted(SEEDS_DIR.glob("*.txt")), f"no seed articles in {SEEDS_DIR}"


# --- per-row checks ----------------------------------------------------------


def _subset(predicate) -> tuple[list[dict], list[str]]:
    rows = [r for r in ROWS if predicate(r)]
    return rows, [str(r.get("id")) for r in rows]


ANSWERABLE, ANSWERABLE_IDS = _subset(lambda r: r.get("answerable") is True)
SINGLE_DOC, SINGLE_DOC_IDS = _subset(
    lambda r: r.get("answerable") is True and r.get("category") != "multi_doc"
)
NO_DIACRITICS, NO_DIACRITICS_IDS = _subset(lambda r: r.get("category") == "no_diacritics")
ACCENTED, ACCENTED_IDS = _subset(lambda r: r.get("category") != "no_diacritics")


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_fields_and_types(row):
    missing = [f for f in FIELDS if f not in row]
    assert not missing, f"missing fields: {missing}"
    for field, typ in FIELDS.items():
        assert isinstance(row[field], typ), f"{field} should be {typ.__name__}"
    assert row["id"].strip(), "empty id"
    assert row["question"].strip(), "empty question"
    assert all(isinstance(a, str) and a.strip() for a in row["answers"]), "answers must be non-empty strings"
    assert all(isinstance(d, str) and d.strip() for d in row["doc_ids"]), "doc_ids must be non-empty strings"
    assert len(set(row["doc_ids"])) == len(row["doc_ids"]), "repeated doc_id"


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_category_allowed(row):
    assert row.get("category") in ALLOWED_CATEGORIES, f"unknown category {row.get('category')!r}"


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_doc_ids_exist(row):
    for doc_id in row.get("doc_ids", []):
        assert (SEEDS_DIR / f"{doc_id}.txt").is_file(), f"no seed article {doc_id}.txt"


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_answerable_matches_category(row):
    if row.get("category") == "unanswerable":
        assert row.get("answerable") is False, "unanswerable row must have answerable: false"
        assert row.get("answers") == [], "unanswerable row must have no answers"
        assert row.get("evidence") == "", "unanswerable row must have empty evidence"
    else:
        assert row.get("answerable") is True, "only category 'unanswerable' may have answerable: false"


@pytest.mark.parametrize("row", ANSWERABLE, ids=ANSWERABLE_IDS)
def test_answerable_row_is_grounded(row):
    assert row["answers"], "answerable row needs at least one answer"
    assert row["doc_ids"], "answerable row needs at least one doc_id"
    if row.get("category") == "multi_doc":
        assert len(row["doc_ids"]) >= 2, "multi_doc row needs at least two articles"
    texts = _articles(row)
    for answer in row["answers"]:
        norm = normalize_for_compare(answer)
        assert norm, f"answer {answer!r} is empty after normalisation"
        assert any(norm in text for text in texts), f"answer {answer!r} not found in {row['doc_ids']}"
    evidence = normalize_for_compare(row["evidence"])
    assert evidence, "answerable row needs evidence"
    assert any(evidence in text for text in texts), f"evidence not found in {row['doc_ids']}"


@pytest.mark.parametrize("row", SINGLE_DOC, ids=SINGLE_DOC_IDS)
def test_evidence_contains_an_answer(row):
    """For single-article rows the evidence must contain one of the answers."""
    evidence = normalize_for_compare(row["evidence"])
    assert any(normalize_for_compare(a) in evidence for a in row["answers"]), (
        "evidence contains none of the answers"
    )


@pytest.mark.parametrize("row", NO_DIACRITICS, ids=NO_DIACRITICS_IDS)
def test_no_diacritics_question(row):
    assert not has_diacritics(row["question"]), "no_diacritics question contains diacritics or đ"


@pytest.mark.parametrize("row", ACCENTED, ids=ACCENTED_IDS)
def test_accented_categories_keep_diacritics(row):
    """Every other question is written in normal Vietnamese with accents."""
    assert has_diacritics(row["question"]), "question has no diacritics but is not in no_diacritics"
