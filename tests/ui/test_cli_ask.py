"""`hoidap ask` as a user runs it: a subprocess, answers on stdout, one-line errors on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
QUESTION = "Phường Phước Tân có bao nhiêu đảng viên?"
CONTRACT = {"question", "answer", "short_answer", "abstained", "mode", "citations", "unsupported", "warnings",
            "timings_ms"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    from index.builder import sync_index
    from index.config import Settings

    directory = tmp_path_factory.mktemp("ask-index")
    sync_index([REPO / "seeds"], Settings(data_dir=directory), embed_spec="lexical")
    return directory


def ask(data_dir: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    environment = {k: v for k, v in os.environ.items() if not k.startswith("HOIDAP_")}
    # No Ollama here: point auto mode at a closed port so the test never depends on the machine.
    environment.update({"HOIDAP_OLLAMA_HOST": "http://127.0.0.1:9", "HF_HUB_OFFLINE": "1", **(env or {})})
    return subprocess.run([sys.executable, "-m", "ui.cli", "ask", *args, "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=60, cwd=REPO, env=environment)


def test_json_result_answers_553_with_offsets_on_the_article(data_dir):
    done = ask(data_dir, "--json", QUESTION)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert CONTRACT <= set(result)
    assert set(result["timings_ms"]) >= {"retrieve", "generate", "first_token", "total"}
    assert result["mode"] == "extractive" and not result["abstained"]
    assert result["short_answer"] == "553 đảng viên"
    cited = [c for c in result["citations"] if c["cited"]]
    assert cited[0]["doc_id"] == "000_550aa94c2a6765eb"
    assert {"n", "doc_id", "title", "date", "chunk_id", "text", "start", "end", "score"} <= set(cited[0])
    from index.config import Settings
    from index.reader import IndexReader

    article = IndexReader.open(Settings(data_dir=data_dir)).article(cited[0]["doc_id"]).text
    span = cited[0]["answer_span"]
    assert article[span["start"]:span["end"]] == "553 đảng viên"
    assert article[cited[0]["start"]:cited[0]["end"]] == cited[0]["text"]


def test_question_without_diacritics_gives_the_same_answer(data_dir):
    accented = json.loads(ask(data_dir, "--json", QUESTION).stdout)
    plain = json.loads(ask(data_dir, "--json", "phuong phuoc tan co bao nhieu dang vien").stdout)
    assert plain["short_answer"] == accented["short_answer"]

    def cited_chunks(result):
        return [(c["chunk_id"], c["quote"]["start"]) for c in result["citations"] if c["cited"]]

    # Same sentence from the same passage; only its rank among the sources may differ.
    assert cited_chunks(plain) == cited_chunks(accented)


def test_plain_output_streams_answer_then_sources(data_dir):
    done = ask(data_dir, QUESTION)
    assert done.returncode == 0
    answer, _, sources = done.stdout.partition("Nguồn:")
    assert "553 đảng viên" in answer and "[1]" in answer
    assert "000_550aa94c2a6765eb" in sources
    assert "chế độ" in done.stderr  # progress and mode go to stderr, not stdout


def test_a_corrected_typo_is_said_on_stderr_and_the_answer_stays_on_stdout(data_dir):
    done = ask(data_dir, "Phươc Tân kết nạp bao nhiu đảng viên?")
    assert done.returncode == 0
    assert "Câu hỏi được hiểu là: Phước Tân kết nạp bao nhiêu đảng viên?" in done.stderr
    assert "hiểu là" not in done.stdout  # a script reading stdout gets the answer only
    assert "hiểu là" not in ask(data_dir, QUESTION).stderr


def test_unanswerable_question_is_refused(data_dir):
    result = json.loads(ask(data_dir, "--json", "Giá vàng hôm nay bao nhiêu?").stdout)
    assert result["abstained"] and result["citations"]


def test_missing_index_is_one_line_on_stderr(tmp_path):
    done = ask(tmp_path / "nothing-here", QUESTION)
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1
    assert "hoidap index" in done.stderr and "Traceback" not in done.stderr


def test_cold_ask_imports_no_torch_gradio_or_sentence_transformers(data_dir):
    probe = (
        "import sys\n"
        f"sys.argv = ['hoidap', 'ask', {QUESTION!r}, '--data-dir', {str(data_dir)!r}, '--json']\n"
        "from ui.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'gradio', 'transformers') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=REPO,
                          env={"HOIDAP_OLLAMA_HOST": "http://127.0.0.1:9", "PATH": "/usr/bin:/bin",
                               "HOME": str(Path.home())})
    assert "HEAVY=\n" in done.stderr + "\n", done.stderr
    assert json.loads(done.stdout)["short_answer"] == "553 đảng viên"


def test_a_follow_up_points_at_the_person_answered_before(data_dir):
    # `--after` used to pass the earlier questions without their answers, so "Ông ấy" pointed at nothing
    # (refused, 0.10); the chat page keeps the answers, and now so does the CLI.
    done = ask(data_dir, "--json", "Ông ấy giữ chức vụ gì?", "--after", "Ai là Chủ tịch HĐND Quận 1?")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert "Nguyễn Duy An" in (result["rewritten_question"] or ""), result["rewritten_question"]
    assert not result["abstained"] and "Chủ tịch HĐND Quận 1" in (result["short_answer"] or "")
