"""The typo'd questions and the plain-BM25 baseline that `hoidap eval --typos --baseline bm25` uses."""

from __future__ import annotations

from eval.baseline import PlainBM25, plain_tokens
from eval.typos import mistype


def test_one_deterministic_edit_in_one_content_word():
    question = "Đảng bộ phường Phước Tân có bao nhiêu chi bộ?"
    first, again = mistype(question, "seed-001"), mistype(question, "seed-001")
    assert first == again != question
    before, after = question.split(), first.split()
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(changed) == 1
    assert changed[0][0].lower() not in {"bao", "nhiêu", "có"}


def test_typos_differ_across_questions():
    questions = [f"Phường Phước Tân tổ chức hội nghị tổng kết lần {i}?" for i in range(20)]
    assert len({mistype(q, str(i)) for i, q in enumerate(questions)}) > 5


def test_plain_bm25_ranks_paragraphs_by_plain_syllables():
    assert plain_tokens("Đảng UỶ phường, 36,26%") == ["đảng", "uỷ", "phường", "36", "26"]
    baseline = PlainBM25({"a": "Tiêu đề A\n\nMèo ăn cá.\n\nChó sủa to.", "b": "Tiêu đề B\n\nCá bơi dưới nước."})
    top = baseline.search("chó sủa", 3)
    assert top[0] == {"doc_id": "a", "text": "Chó sủa to."}
    assert baseline.search("xyz") == []


def test_questions_typed_without_marks_keep_capitals_and_punctuation():
    from eval.typos import without_marks

    assert without_marks("Đảng bộ phường Phước Tân có bao nhiêu chi bộ?") == "Dang bo phuong Phuoc Tan co bao nhieu chi bo?"
    assert without_marks("36,26% — Uỷ ban") == "36,26% — Uy ban"


def _eval_one_seed_question(tmp_path, cli_env, flag: str) -> tuple[str, dict]:
    """`hoidap eval --corpus seeds` on one gold question asked as ``flag`` says: its stdout and report.json."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "q1", "question": "Đảng bộ phường Phước Tân có bao nhiêu chi bộ?", "answers": ["22 chi bộ"], '
                    '"doc_ids": [], "evidence": "", "category": "number", "answerable": true}\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "ui.cli", "eval", "--corpus", "seeds", "--gold", str(gold), "--data-dir",
         str(tmp_path / "index"), "--mode", "extractive", flag, "--out", str(tmp_path / "report")],
        capture_output=True, text=True, timeout=600, cwd=repo, env=cli_env)
    assert done.returncode == 0, done.stderr
    return done.stdout, json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))


def test_eval_without_accents_asks_unaccented_questions_and_says_so(tmp_path, cli_env):
    stdout, report = _eval_one_seed_question(tmp_path, cli_env, "--no-accents")
    assert "câu hỏi gõ không dấu" in stdout  # the tables say how the questions were typed
    assert report["meta"]["unaccented"] is True
    assert report["questions"][0]["contains"]  # still answered without marks
    page = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert "hỏi: Dang bo phuong Phuoc Tan co bao nhieu chi bo?" in page


def test_chatty_questions_are_wrapped_deterministically_and_keep_the_question():
    from eval.chatty import as_in_chat

    question = "Đảng bộ phường Phước Tân có bao nhiêu chi bộ?"
    asked = {as_in_chat(question, f"q{i}") for i in range(40)}
    assert as_in_chat(question, "q1") == as_in_chat(question, "q1")
    assert len(asked) > 10 and question not in asked  # every question is asked in a chat's words
    assert all("phường Phước Tân có bao nhiêu chi bộ" in a for a in asked)  # the question itself untouched


def test_eval_chatty_asks_in_a_chats_words_and_says_so(tmp_path, cli_env):
    stdout, report = _eval_one_seed_question(tmp_path, cli_env, "--chatty")
    assert "kèm lời chào, lời nhờ" in stdout
    assert report["meta"]["chatty"] is True
    assert report["questions"][0]["contains"]  # the courtesies do not lose the answer
