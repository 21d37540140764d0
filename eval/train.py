"""`hoidap train`: fit the answerer from gold files, cross-validate it, ship it as plain JSON.

Steps, all printed as they go (stderr) and summarised at the end (stdout):

1. every set's corpus is indexed as ``hoidap eval`` indexes it;
2. retrieval field weights are chosen on a small grid by the mean of doc_hit@1 and
   evidence_hit@5 over the sets, and reported leave-one-set-out beside plain BM25;
3. examples are made by asking every question through the product's own path,
   plus out-of-corpus negatives (eval/train_data.py);
4. held-out figures: article-grouped k-fold over all examples, and
   leave-one-set-out (fit on the other sets, score the left-out one);
5. the final model is fitted on everything and written with its model card.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Optional

import numpy as np
import typer

from index.errors import HoidapError

OFF_TOPIC_SHARE = 0.1  # off-topic negatives per set, as a share of its own questions
GRID = [{"folded_weight": f, "bigram_weight": b} for f in (0.25, 0.5, 1.0) for b in (0.5, 1.0)]
DEFAULT_SETS = ["../shared/benchmarks/xquad-vi", "../shared/benchmarks/vinewsqa-dev", "../shared/benchmarks/viquad2-dev",
                "eval/gold/seeds.jsonl@seeds"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def retrieval_figures(answerer, items, weights: dict, cache: dict) -> dict:
    """doc_hit@1 and evidence_hit@5 of the given field weights on the answerable questions."""
    from eval.metrics import norm
    from rag.retrieval import combine_fields, field_scores

    hits = []
    for item in items:
        if not item.answerable:
            continue
        if item.id not in cache:
            cache[item.id] = field_scores(answerer.reader.lexical, answerer.analyse(item.question)[0])
        scores = combine_fields(cache[item.id], weights)
        top = [int(i) for i in np.argsort(-scores, kind="stable")[:5] if scores[i] > 0]
        rows = answerer.reader.rows
        docs = [rows.doc_ids[i] in item.doc_ids for i in top]
        evidence = [rows.doc_ids[i] in item.doc_ids and bool(item.evidence) and norm(item.evidence) in norm(rows[i]["text"])
                    for i in top]
        hits.append((float(any(docs[:1])), float(any(evidence))))
    values = np.mean(hits, axis=0) if hits else np.zeros(2)
    return {"doc_hit@1": round(float(values[0]), 4), "evidence_hit@5": round(float(values[1]), 4)}


def baseline_figures(answerer, items) -> dict:
    from eval.baseline import PlainBM25
    from eval.metrics import norm

    baseline = PlainBM25.from_reader(answerer.reader)
    hits = []
    for item in items:
        if item.answerable:
            found = baseline.search(item.question, 5)
            hits.append((float(bool(found) and found[0]["doc_id"] in item.doc_ids),
                         float(any(p["doc_id"] in item.doc_ids and item.evidence and norm(item.evidence) in norm(p["text"])
                                   for p in found))))
    values = np.mean(hits, axis=0) if hits else np.zeros(2)
    return {"doc_hit@1": round(float(values[0]), 4), "evidence_hit@5": round(float(values[1]), 4)}


def choose_weights(table: dict[str, list[dict]], names: list[str]) -> int:
    """Index of the grid point with the best mean (doc_hit@1 + evidence_hit@5) over ``names``."""
    def value(i):
        return np.mean([table[n][i]["doc_hit@1"] + table[n][i]["evidence_hit@5"] for n in names])

    return max(range(len(GRID)), key=lambda i: (value(i), -i))


def run_training(specs: list[str], *, out: Path, folds: int, limit: int | None, out_of_corpus_share: float,
                 feedback: list[tuple[Path, Path]], progress) -> dict:
    from sklearn.model_selection import GroupKFold

    from eval.cli import corpus_cache_dir
    from eval.harness import load_gold
    from eval.train_data import feedback_items, make_examples, off_topic_examples, parse_set
    from eval.train_fit import fit, predict, summarise
    from index.builder import sync_index
    from index.config import load_settings
    from rag.features import FEATURE_SCHEMA, schema_hash
    from rag.pipeline import Answerer
    from rag.retrieval import HybridRetriever

    sets = [parse_set(spec) for spec in specs]
    answerers, items = {}, {}
    for training_set in sets:
        settings = load_settings(data_dir=corpus_cache_dir(training_set.corpus), mode="extractive")
        sync_index([training_set.corpus], settings, progress=progress)
        answerers[training_set.name] = Answerer(settings)
        gold = load_gold(training_set.gold)
        items[training_set.name] = gold[:limit] if limit else gold
    names = list(answerers)
    # --- retrieval weights
    progress.start("Trọng số truy xuất (retrieval weights)", len(names))
    table = {}
    for name in names:
        cache: dict = {}
        table[name] = [retrieval_figures(answerers[name], items[name], w, cache) for w in GRID]
        progress.advance(1)
    progress.finish()
    chosen = GRID[choose_weights(table, names)]
    retrieval_report = {}
    for name in names:
        others = [n for n in names if n != name] or names
        retrieval_report[name] = {"hoidap_loso": table[name][choose_weights(table, others)],
                                  "bm25": baseline_figures(answerers[name], items[name])}
    for name, answerer in answerers.items():
        answerer._retriever = HybridRetriever(answerer.reader, candidates=answerer.settings.candidates,
                                              weights=chosen)
    # --- examples
    examples = []
    progress.start("Câu hỏi huấn luyện (training questions)", sum(len(v) for v in items.values()))
    for name in names:
        examples += make_examples(answerers[name], name, items[name], out_of_corpus_share=out_of_corpus_share,
                                  progress=progress)
    progress.finish()
    if len(names) > 1:  # every set's articles are asked some of the other sets' questions
        for name in names:
            foreign = [item for other in names if other != name for item in items[other] if item.answerable]
            examples += off_topic_examples(answerers[name], name, foreign,
                                           count=max(1, round(OFF_TOPIC_SHARE * len(items[name]))))
    for log, index_dir in feedback:
        up, down = feedback_items(log)
        answerer = Answerer(load_settings(data_dir=index_dir, mode="extractive"))
        answerer._retriever = HybridRetriever(answerer.reader, weights=chosen)
        examples += make_examples(answerer, "feedback", up, out_of_corpus_share=0.0)
        examples += make_examples(answerer, "feedback", down, out_of_corpus_share=0.0, kind_for_answerable="feedback_down")
    # --- held-out figures
    groups = np.array([e.group for e in examples])
    outcomes: list[dict | None] = [None] * len(examples)
    splitter = GroupKFold(n_splits=min(folds, len(set(groups))))
    progress.start("Kiểm định chéo theo bài (article-grouped CV)", splitter.get_n_splits())
    for train, test in splitter.split(examples, groups=groups):
        model = fit([examples[i] for i in train], chosen)
        for i in test:
            outcomes[i] = predict(examples[i], model)
        progress.advance(1)
    progress.finish()
    kfold = {name: summarise([o for o in outcomes if o and o["set"] == name]) for name in names}
    loso = {}
    if len(names) > 1:
        progress.start("Bỏ-một-bộ (leave-one-set-out)", len(names))
        for name in names:
            model = fit([e for e in examples if e.set_name != name], chosen)
            loso[name] = summarise([predict(e, model) for e in examples if e.set_name == name])
            progress.advance(1)
        progress.finish()
    # --- the shipped model
    model = fit(examples, chosen)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(model.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    summary = {
        "date": dt.date.today().isoformat(), "schema_hash": schema_hash(), "feature_version": FEATURE_SCHEMA["version"],
        "training_files": [{"set": s.name, "gold": str(s.gold), "sha256": _sha256(s.gold), "corpus": str(s.corpus),
                            "questions": len(items[s.name])} for s in sets]
        + [{"set": "feedback", "gold": str(log), "sha256": _sha256(log)} for log, _ in feedback],
        "examples": {kind: sum(1 for e in examples if e.kind == kind)
                     for kind in ("answerable", "unanswerable", "out_of_corpus", "off_topic", "feedback_down")},
        "retrieval_weights": chosen, "retrieval": retrieval_report,
        "span_threshold": round(model.span_threshold, 4), "refusal_threshold": round(model.refusal_threshold, 4),
        "cv_folds": splitter.get_n_splits(), "grouped_kfold": kfold, "leave_one_set_out": loso,
    }
    write_card(out.with_suffix(".card.md"), summary, model)
    return summary


def write_card(path: Path, summary: dict, model) -> None:
    from eval.train_fit import QUOTE_MEDIAN_BUDGET
    from rag.features import ANSWER_FEATURES, SENTENCE_FEATURES, SPAN_FEATURES

    lines = [f"# Model card — hoidap answerer ({path.with_suffix('').with_suffix('.json').name})", "",
             f"- trained: {summary['date']} by `hoidap train`; feature schema {summary['schema_hash']} "
             f"(version {summary['feature_version']})",
             "- model: three linear scorers on standardised features, evaluated with numpy at query time: the "
             f"sentence ranker ({model.sentence.objective}: a softmax over the question's sentences), the short-answer "
             f"ranker ({model.span.objective}: over the spans of the chosen sentence) and the answer-is-right "
             f"probability (logistic); thresholds below.",
             f"- quote: the chosen sentence, joined by its neighbour when that one scores within {model.quote_margin} "
             f"of it, or whatever it scores when both fit in {model.quote_join_chars} characters (the pair with the "
             f"most quotes holding the answer, median quote ≤ {QUOTE_MEDIAN_BUDGET} characters on every set)",
             f"- retrieval weights (grid, best mean doc_hit@1 + evidence_hit@5): {summary['retrieval_weights']}",
             f"- short-answer threshold {summary['span_threshold']} (best mean F1 with a wrong fragment costing half "
             f"a right one); refusal threshold {summary['refusal_threshold']} (best balanced accuracy, answerable vs "
             "unanswerable + out-of-corpus + off-topic, on probabilities from models fitted without the question's "
             "article: article-grouped folds inside the training examples)",
             f"- examples: {summary['examples']}", "", "## Training files", "",
             "| set | gold | sha256 | questions |", "|---|---|---|---:|"]
    for f in summary["training_files"]:
        lines.append(f"| {f['set']} | {f['gold']} | `{f['sha256'][:16]}…` | {f.get('questions', '')} |")
    lines += ["", f"## Held-out figures (article-grouped {summary['cv_folds']}-fold CV, and leave-one-set-out)", "",
              "| set | protocol | contains | short F1 | chars median | false abstain | unanswerable bal. acc. | "
              "out-of-corpus bal. acc. | off-topic bal. acc. |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for protocol, key in (("k-fold", "grouped_kfold"), ("leave-one-set-out", "leave_one_set_out")):
        for name, row in summary[key].items():
            lines.append(f"| {name} | {protocol} | {row['contains']} | {row['f1']} | {row['chars_median']} | "
                         f"{row['false_abstain_rate']} | {row.get('unanswerable_balanced_accuracy', '—')} | "
                         f"{row.get('out_of_corpus_balanced_accuracy', '—')} | "
                         f"{row.get('off_topic_balanced_accuracy', '—')} |")
    lines += ["", "## Retrieval (leave-one-set-out weights) beside plain BM25 over paragraphs", "",
              "| set | hoidap doc_hit@1 | BM25 doc_hit@1 | hoidap evidence_hit@5 | BM25 evidence_hit@5 |",
              "|---|---:|---:|---:|---:|"]
    for name, row in summary["retrieval"].items():
        lines.append(f"| {name} | {row['hoidap_loso']['doc_hit@1']} | {row['bm25']['doc_hit@1']} | "
                     f"{row['hoidap_loso']['evidence_hit@5']} | {row['bm25']['evidence_hit@5']} |")
    lines += ["", "## Weights (standardised features; positive = more likely)", ""]
    for title, scorer, names in (("sentence", model.sentence, SENTENCE_FEATURES), ("span", model.span, SPAN_FEATURES),
                                 ("answer", model.answer, ANSWER_FEATURES)):
        lines.append(f"**{title}**: " + ", ".join(f"{n} {c:+.2f}" for n, c in zip(names, scorer.coef)))
        lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def register_train(app: typer.Typer) -> None:
    @app.command("train")
    def train_command(
        sets: Optional[list[str]] = typer.Argument(None, help="THƯ_MỤC (gold.jsonl + corpus/) hoặc GOLD.jsonl@THƯ_MỤC."),
        out: Optional[Path] = typer.Option(None, "--out", help="Tệp mô hình (mặc định: mô hình đi kèm gói)."),
        folds: int = typer.Option(5, "--folds", help="Số phần kiểm định chéo theo bài."),
        limit: Optional[int] = typer.Option(None, "--limit", help="Chỉ dùng N câu đầu mỗi bộ (thử nhanh)."),
        out_of_corpus_share: float = typer.Option(0.5, "--out-of-corpus", help="Tỉ lệ câu hỏi tạo mẫu ngoài kho."),
        feedback: Optional[list[str]] = typer.Option(None, "--feedback",
                                                     help="feedback.jsonl@THƯ_MỤC_CHỈ_MỤC của trang hỏi đáp."),
        as_json: bool = typer.Option(False, "--json", help="In tóm tắt JSON."),
    ) -> None:
        """Huấn luyện bộ trả lời từ các bộ gold, kiểm định chéo, ghi mô hình (train the answerer)."""
        from index.progress import RichProgress
        from rag.scorer import MODEL_PATH

        pairs = []
        for spec in feedback or []:
            log, _, index_dir = spec.partition("@")
            if not Path(log).is_file() or not index_dir:
                raise HoidapError(f"--feedback {spec}: cần feedback.jsonl@THƯ_MỤC_CHỈ_MỤC.")
            pairs.append((Path(log), Path(index_dir)))
        summary = run_training(sets or DEFAULT_SETS, out=out or MODEL_PATH, folds=folds, limit=limit,
                               out_of_corpus_share=out_of_corpus_share, feedback=pairs, progress=RichProgress())
        if as_json:
            print(json.dumps(summary, ensure_ascii=False, indent=1))
        else:
            print((out or MODEL_PATH).with_suffix(".card.md").read_text(encoding="utf-8"))
