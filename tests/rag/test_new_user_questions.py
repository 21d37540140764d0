"""Questions new users typed into hoidap on the seeds (issue 9), through `hoidap ask --json`.

Each must be answered right (the short answer or the quote holds the fact the
article states) or refused right (the articles do not say it). They were
wrong before the learned answerer: answered 2021, 14, Phước Tân, "Đảng", or
refused although the article answers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.textnorm import normalize_for_compare as norm

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    from index.builder import sync_index
    from index.config import Settings

    directory = tmp_path_factory.mktemp("new-user-index")
    sync_index([REPO / "seeds"], Settings(data_dir=directory), embed_spec="lexical")
    return directory


def ask(data_dir: Path, question: str, *after: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HOIDAP_")}
    environment.update({"HOIDAP_OLLAMA_HOST": "http://127.0.0.1:9", "HF_HUB_OFFLINE": "1"})
    history = [arg for q in after for arg in ("--after", q)]
    done = subprocess.run([sys.executable, "-m", "ui.cli", "ask", "--json", question, *history,
                           "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=60, cwd=REPO,
                          env=environment)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def says(result: dict, fact: str) -> bool:
    return not result["abstained"] and norm(fact) in norm(result["answer"] + " " + (result["short_answer"] or ""))


@pytest.mark.parametrize("question, fact", [
    ("Số đảng viên của phường Phước Tân là bao nhiêu?", "553"),
    ("Năm 2020 huyện Phú Xuyên kết nạp được bao nhiêu đảng viên mới?", "176"),
    ("Cầu Ông Lãnh kết nạp bao nhiu đảng viên?", "2 đảng viên"),
    ("Phươc Tân có bao nhiêu đảng viên?", "553"),
    ("Người đứng đầu tổ chức Đảng ở Tây Sơn tên là gì?", "Phạm Duy Phong"),
    ("Ai đứng đầu Ủy ban nhân dân ở phường Cầu Ông Lãnh?", "Nguyễn Võ Uyên Linh"),
])
def test_answered_right(data_dir, question, fact):
    result = ask(data_dir, question)
    assert says(result, fact), result["answer"]
    cited = [c for c in result["citations"] if c["cited"]]
    assert cited and norm(fact) in norm(cited[0]["quote"]["text"])


@pytest.mark.parametrize("question, winner, figures", [
    # Cầu Ông Lãnh's sentence starts with "giao 18 thanh niên … – đạt 138,5%": its percentage, not its
    # head count, is what compares with Phước Tân's 115%.
    ("Phường nào đạt chỉ tiêu giao quân cao hơn, Phước Tân hay Cầu Ông Lãnh?", "Cầu Ông Lãnh", ["138,5%", "115%"]),
    # Amounts of money compare whatever their magnitude words.
    ("Phường nào có số thu ngân sách được báo cáo lớn hơn, Tây Sơn hay Trần Phú?", "Tây Sơn",
     ["49 tỷ 687 triệu đồng", "11 tỷ đồng"]),
])
def test_a_comparison_compares_figures_of_one_kind(data_dir, question, winner, figures):
    result = ask(data_dir, question)
    assert result["short_answer"] == winner, result["answer"]
    assert all(figure in result["answer"] for figure in figures), result["answer"]



@pytest.mark.parametrize("question", [
    # Typed without accents: the comparison is still read as one, and its subjects are named as the
    # articles write them.
    "phuong nao co nhieu dang vien hon, phuoc tan hay tay son?",
    # A subject with a slipped mark is named as corrected, not as typed ("Phước Tan").
    "Phường nào có nhiều đảng viên hơn, Phước Tan hay Tây Sơn?",
])
def test_a_comparison_as_typed_names_its_subjects_as_written(data_dir, question):
    result = ask(data_dir, question)
    assert result["short_answer"] == "Phước Tân", result["answer"]
    assert "553 đảng viên" in result["answer"] and "314 đảng viên" in result["answer"]
    assert "Tây Sơn" in result["answer"] and "Phước Tan " not in result["answer"]


# Known misses (docs/answerer.md, "Known misses"): the shipped answer scorer gives these 0.37–0.51, above its
# threshold. Strict: the day one is refused, the test reports it and the mark must go.
_KNOWN_MISS = pytest.mark.xfail(strict=True, reason="known miss of the fifth model: answered, not refused; "
                                                    "unit and place features were measured and did not hold "
                                                    "on every development set (docs/answerer.md)")


@pytest.mark.parametrize("question, after", [
    # The Trần Phú article reports a conference ("hội nghị BCH lần thứ 14", "nhiệm vụ 9 tháng"), never a
    # number of party members: "14" or "9 tháng" is not an answer.
    pytest.param("Phường Trần Phú có bao nhiêu đảng viên?", (), marks=_KNOWN_MISS),
    # The same asked as a follow-up to a question the articles do answer.
    pytest.param("còn phường Trần Phú thì sao?", ("Phường Phước Tân có bao nhiêu đảng viên?",), marks=_KNOWN_MISS),
    # The Cầu Ông Lãnh article dates its conference but never says where it was held ("Đảng" is no place).
    pytest.param("Hội nghị của phường Cầu Ông Lãnh diễn ra ở đâu?", (), marks=_KNOWN_MISS),
    # Asked of a ward no article is about: refused.
    ("Phường Phước Hòa có bao nhiêu đảng viên?", ()),
])
def test_refused_when_the_articles_do_not_say(data_dir, question, after):
    result = ask(data_dir, question, *after)
    assert result["abstained"], (result["short_answer"], result["answer"])
    assert result["refusal_reason"] in {"no_match", "no_answer"}
