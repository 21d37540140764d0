"""report.md and report.html as people read them: no raw JSON, no literal backticks, a Vietnamese
line per metric, two verdicts per question (the answer contains a gold answer; the short answer
matches), and an optional baseline column beside hoidap's retrieval figures."""

from __future__ import annotations

import json
import re

import pytest

from eval.harness import GoldItem, QuestionRecord
from eval.report import METRIC_HELP, SHORT_MATCH_F1, write_reports

RETRIEVAL = {"doc_hit@1": 1.0, "doc_hit@5": 1.0, "evidence_hit@1": 0.75, "evidence_hit@5": 1.0, "mrr@10": 0.875}
BASELINE = {"name": "bm25", "retrieval": {"doc_hit@1": 0.5, "doc_hit@5": 0.75, "evidence_hit@1": 0.25,
                                          "evidence_hit@5": 0.625, "mrr@10": 0.4375}}


def report_dict(**extra) -> dict:
    groups = {"retrieval": dict(RETRIEVAL), "answer": {"contains": 0.75, "em": 0.5, "f1": 0.6, "chars_median": 120.0},
              "citation": {"valid": 1.0, "hit": 0.75}, "abstention": {"noans_accuracy": 0.5, "false_abstain_rate": 0.25},
              "latency_ms": {"p50": 3.2, "p95": 7.5}}
    sub = {"n": 2, **groups}
    return {"n": 6, **groups, "by_category": {"number": sub, "unanswerable": sub}, **extra}


def record(qid: str, answer: str, short: str | None, *, answerable=True, refused=False, miss=None) -> QuestionRecord:
    item = GoldItem(id=qid, question=f"Câu hỏi {qid}?", answers=["553 đảng viên"] if answerable else [],
                    doc_ids=["000_a"] if answerable else [], evidence="có 553 đảng viên" if answerable else "",
                    category="number" if answerable else "unanswerable", answerable=answerable)
    citation = {"n": 1, "doc_id": "000_a", "title": "Đảng bộ phường", "text": "Phường có 553 đảng viên.",
                "cited": True, "quote": {"text": "Phường có 553 đảng viên."}}
    result = {"answer": answer, "short_answer": short, "abstained": refused, "citations": [citation]}
    return QuestionRecord(item=item, result=result, passages=[], latency_ms=3.0, miss=miss)


RECORDS = [
    record("q-right", "Phường có 553 đảng viên [1].", "553 đảng viên"),                     # both verdicts yes
    record("q-short-wrong", "Phường có 553 đảng viên và 22 chi bộ [1].", "22 chi bộ"),      # contains, short off
    record("q-no-short", "Phường có 553 đảng viên [1].", None),                             # contains, no short
    record("q-other-number", "Phường có 553 đảng viên [1].", "533 đảng viên"),            # short: 2 of 3 syllables,
                                                                                           # but another number
    record("q-missing", "Phường có 22 chi bộ [1].", "22 chi bộ", miss="answer miss"),       # contains nothing
    record("q-refused", "Xin lỗi.", None, refused=True, miss="wrong refusal"),
    record("q-noans", "Xin lỗi.", None, answerable=False, refused=True),                  # right refusal
]
EXPECTED_RIGHT = {"q-right": True, "q-short-wrong": False, "q-no-short": True, "q-other-number": False,
                  "q-missing": False,
                  "q-refused": False, "q-noans": True}


@pytest.fixture
def written(tmp_path):
    def write(report: dict):
        write_reports(tmp_path, report, RECORDS, {"gold": "eval/gold/seeds.jsonl", "mode": "extractive", "k": 5,
                                                  "embedder": "lexical-hash-v1"})
        return ((tmp_path / "report.md").read_text(encoding="utf-8"), (tmp_path / "report.html").read_text(encoding="utf-8"),
                json.loads((tmp_path / "report.json").read_text(encoding="utf-8")))
    return write


def rows(page: str) -> dict[str, str]:
    return {re.match(r"<td>([^<]+)", row).group(1): row
            for row in re.findall(r"<tr class=\"[^\"]*\">(.*?)</tr>", page, flags=re.S)}


def test_a_question_is_right_only_with_the_answer_and_a_matching_short_answer(written):
    _, page, payload = written(report_dict())
    verdicts = {q["id"]: q["right"] for q in payload["questions"]}
    assert verdicts == EXPECTED_RIGHT
    shown = rows(page)
    for qid, right in EXPECTED_RIGHT.items():
        assert ('<span class="ok">đúng</span>' in shown[qid]) is right, qid
    assert "chứa đáp án: <span class=\"ok\">có</span>" in shown["q-short-wrong"]
    assert "trả lời ngắn khớp: <span class=\"miss\">không</span>" in shown["q-short-wrong"]
    assert "trả lời ngắn không khớp" in shown["q-short-wrong"]
    assert "trả lời ngắn khớp: <span class=\"na\">không có</span>" in shown["q-no-short"]
    assert f"F1 theo âm tiết ≥ {SHORT_MATCH_F1}" in page  # the definition is written in the report
    assert "trả lời ngắn khớp: <span class=\"miss\">không</span>" in shown["q-other-number"]
    assert "mọi con số mà câu trả lời ngắn nêu" in page  # … and so is the number rule
    assert "Từng câu hỏi (4/7 câu sai)" in page


def test_html_has_no_raw_json_no_backticks_and_explains_every_metric(written):
    _, page, _ = written(report_dict())
    assert "`" not in page and '{"gold"' not in page and "&quot;gold&quot;" not in page
    assert '<html lang="vi">' in page
    for (group, key), help_text in METRIC_HELP.items():
        row = re.search(rf"<tr><td>[^<]*</td><td><code>{re.escape(key)}</code></td>.*?</tr>", page)
        assert row and help_text in row.group(0), key
    assert "<dt>Bộ câu hỏi gold</dt><dd>eval/gold/seeds.jsonl</dd>" in page


def test_baseline_column_beside_retrieval_figures(written):
    markdown, page, _ = written(report_dict(baseline=BASELINE))
    assert "| nhóm | chỉ số | hoidap | bm25 |" in markdown
    assert "| retrieval | mrr@10 | 0.875 | 0.438 |" in markdown
    assert "| answer | contains | 0.750 | — |" in markdown
    assert "<th>bm25 (đối chứng)</th>" in page
    assert re.search(r"<code>doc_hit@5</code></td><td>1\.000</td><td>0\.750</td>", page)
    assert re.search(r"<code>f1</code></td><td>0\.600</td><td>—</td>", page)


def test_without_baseline_the_table_keeps_its_three_columns(written):
    markdown, page, _ = written(report_dict())
    assert "| nhóm | chỉ số | giá trị |" in markdown and "| retrieval | doc_hit@1 | 1.000 |" in markdown
    assert "đối chứng" not in page
