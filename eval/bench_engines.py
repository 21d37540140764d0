"""Side measurement behind docs/scale.md: the lexical engine candidates on the same rows.

``python -m eval.bench_engines DATA_DIR [TANTIVY_PATH]`` takes the chunk rows of an index built
by ``hoidap index`` and indexes their accented field (syllables + bigrams, exactly the tokens
hoidap scores) with (a) hoidap's segments (b) SQLite FTS5 (c) tantivy, each fed pre-tokenised
text (a token is mapped to an opaque ASCII id so no engine re-tokenises it). It reports build
time, the time to add 5 articles' rows, query p50/p95 over the seed gold questions, and how
often each engine's top 5 equals one bm25s index's top 5 (the reference hoidap must match).
Not part of `hoidap bench`: run by hand when the lexical engine is reconsidered.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from eval.harness import load_gold
from index.generation import indexed_text
from index.lexical import field_tokens
from index.segment import term_hash

REPO = Path(__file__).resolve().parent.parent


def _ids(tokens: list[str]) -> str:
    return " ".join(f"t{term_hash(t):x}" for t in tokens)


def _p(values: list[float]) -> dict:
    return {"p50": round(statistics.median(values), 2), "p95": round(float(np.percentile(values, 95)), 2)}


def main(data_dir: Path, tantivy_path: str | None) -> dict:
    from index.config import Settings
    from index.reader import IndexReader

    reader = IndexReader.open(Settings(data_dir=data_dir))
    rows = [reader.rows[i] for i in range(len(reader.rows))]
    docs = [_ids(field_tokens(indexed_text(r["title"], r["text"]))["accented"]) for r in rows]
    head, tail = docs[:-30], docs[-30:]  # the last ~5 articles' rows: the "add 5" step
    questions = [item.question for item in load_gold(REPO / "eval" / "gold" / "seeds.jsonl")]
    query_tokens = [field_tokens(q)["accented"] for q in questions]
    ours_top = [list(np.argsort(-reader.lexical.scores(t, "accented"), kind="stable")[:5]) for t in query_tokens]
    out: dict = {"rows": len(rows)}

    times = []
    for tokens in query_tokens:
        started = time.perf_counter()
        reader.lexical.scores(tokens, "accented")
        times.append((time.perf_counter() - started) * 1000)
    out["hoidap_segments"] = {"query_ms": _p(times)}

    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "fts.db")
        db.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='ascii')")
        started = time.perf_counter()
        db.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)", enumerate(head))
        db.commit()
        build = time.perf_counter() - started
        started = time.perf_counter()
        db.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)", ((len(head) + i, d) for i, d in enumerate(tail)))
        db.commit()
        add = time.perf_counter() - started
        times, same = [], 0
        for tokens, ref in zip(query_tokens, ours_top):
            match = " OR ".join(f'"{w}"' for w in sorted(set(_ids(tokens).split())))
            started = time.perf_counter()
            got = [r[0] for r in db.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 5", (match,))]
            times.append((time.perf_counter() - started) * 1000)
            same += got == [int(x) for x in ref]
        out["sqlite_fts5"] = {"build_s": round(build, 2), "add5_s": round(add, 3), "query_ms": _p(times),
                              "top5_equal_to_bm25": round(same / len(questions), 3)}

    if tantivy_path:
        sys.path.insert(0, tantivy_path)
        import tantivy

        schema = tantivy.SchemaBuilder().add_text_field("body", stored=False, tokenizer_name="whitespace") \
            .add_integer_field("row", stored=True, fast=True).build()
        with tempfile.TemporaryDirectory() as tmp:
            index = tantivy.Index(schema, path=tmp)
            writer = index.writer(heap_size=200_000_000, num_threads=1)
            started = time.perf_counter()
            for i, d in enumerate(head):
                writer.add_document(tantivy.Document(body=d, row=i))
            writer.commit()
            build = time.perf_counter() - started
            started = time.perf_counter()
            for i, d in enumerate(tail):
                writer.add_document(tantivy.Document(body=d, row=len(head) + i))
            writer.commit()
            writer.wait_merging_threads()
            add = time.perf_counter() - started
            index.reload()
            searcher = index.searcher()
            times, same = [], 0
            for tokens, ref in zip(query_tokens, ours_top):
                query = index.parse_query(" ".join(sorted(set(_ids(tokens).split()))), ["body"])
                started = time.perf_counter()
                hits = searcher.search(query, 5).hits
                got = [searcher.doc(address)["row"][0] for _, address in hits]
                times.append((time.perf_counter() - started) * 1000)
                same += got == [int(x) for x in ref]
            out["tantivy"] = {"build_s": round(build, 2), "add5_s": round(add, 3), "query_ms": _p(times),
                              "top5_equal_to_bm25": round(same / len(questions), 3)}
    return out


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None), indent=1))
