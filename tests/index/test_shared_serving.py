"""Several `hoidap serve` processes answer from one index folder while one indexer commits new
generations: each picks up the new articles without a restart and never fails a question
(real processes on 127.0.0.1; bounded in count and time)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import SEED_DIR

OLD_Q = "Phường Phước Tân có bao nhiêu đảng viên?"
NEW_ARTICLES = {
    # name: (text, question, expected answer)
    "010_thanh_long": (
        "Hợp tác xã Bình Minh thu hoạch thanh long ruột đỏ\n\n15/08/2022\n\n"
        "Năm nay Hợp tác xã Bình Minh thu hoạch được 4.321 tấn thanh long ruột đỏ.\n\nMinh Châu\n",
        "Hợp tác xã Bình Minh thu hoạch được bao nhiêu tấn thanh long ruột đỏ?", "4.321 tấn"),
    "011_cau_moi": (
        "Xã Tân Lập khánh thành cầu bê tông mới\n\n02/09/2023\n\n"
        "Cây cầu bê tông mới của xã Tân Lập dài 86 mét, nối hai thôn Đông và Tây.\n\nHải Yến\n",
        "Cây cầu bê tông mới của xã Tân Lập dài bao nhiêu mét?", "86 mét"),
    "012_truong_hoc": (
        "Huyện Đức Phổ xây thêm phòng học\n\n20/10/2023\n\n"
        "Năm học này huyện Đức Phổ xây thêm 37 phòng học cho các trường tiểu học vùng cao.\n\nQuốc Việt\n",
        "Huyện Đức Phổ xây thêm bao nhiêu phòng học?", "37 phòng học"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"hoidap serve exited with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"{url} did not become healthy in {timeout} s")


def ask(url: str, question: str) -> dict:
    response = httpx.post(f"{url}/api/ask", json={"question": question}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("servers", [2])
def test_two_servers_pick_up_new_generations_while_an_indexer_commits(tmp_path: Path, hoidap_cmd, cli_env,
                                                                        run_hoidap, servers: int) -> None:
    articles, data = tmp_path / "articles", tmp_path / "data"
    shutil.copytree(SEED_DIR, articles)
    assert run_hoidap("index", str(articles), "--data-dir", str(data)).returncode == 0
    env = {**cli_env, "HOIDAP_MODE": "extractive", "HOIDAP_OLLAMA_HOST": "http://127.0.0.1:9",
           "HOIDAP_OLLAMA_CONNECT_TIMEOUT": "0.5", "HOIDAP_RATE_LIMIT_PER_MINUTE": "100000"}
    procs, urls = [], []
    try:
        for _ in range(servers):
            port = free_port()
            procs.append(subprocess.Popen([*hoidap_cmd, "serve", "--data-dir", str(data), "--port", str(port)],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                                          cwd=tmp_path))
            urls.append(f"http://127.0.0.1:{port}")
        for url, proc in zip(urls, procs):
            wait_healthy(url, proc)
            assert "553" in ask(url, OLD_Q)["answer"]

        # Questions keep coming to both servers while the indexer commits three generations
        # (so segments of older generations are pruned under them).
        errors: list[str] = []
        answered = [0]
        stop = threading.Event()

        def load(url: str) -> None:
            deadline = time.monotonic() + 240
            while not stop.is_set() and time.monotonic() < deadline:
                try:
                    result = ask(url, OLD_Q)
                    if "553" not in result["answer"]:
                        errors.append(f"{url}: {result['answer'][:200]}")
                    answered[0] += 1
                except (AssertionError, httpx.HTTPError) as exc:
                    errors.append(f"{url}: {exc}")

        threads = [threading.Thread(target=load, args=(url,)) for url in urls]
        for thread in threads:
            thread.start()
        try:
            for name, (text, question, expected) in NEW_ARTICLES.items():
                (articles / f"{name}.txt").write_text(text, encoding="utf-8")
                done = run_hoidap("index", str(articles), "--data-dir", str(data))
                assert done.returncode == 0, done.stderr
                for url in urls:  # no restart: the next question sees the new generation
                    result = ask(url, question)
                    assert expected in result["answer"], (url, result["answer"])
                    assert any(c["doc_id"] == name for c in result["citations"] if c["cited"])
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        assert not errors, errors[:5]
        assert answered[0] >= 2 * servers
        for url, proc in zip(urls, procs):
            assert proc.poll() is None
            health = httpx.get(f"{url}/healthz", timeout=5).json()
            assert health["articles"] == 5 + len(NEW_ARTICLES)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        for proc in procs:
            stderr = proc.stderr.read() if proc.stderr else ""
            assert "Traceback" not in stderr, stderr[-2000:]
