"""A large sync prepares articles in worker processes (the machine's other cores): the index is the same
as one built in a single process, and no worker outlives its sync, even one killed with kill -9."""

from __future__ import annotations

import filecmp
import json
import multiprocessing
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

from index import prepare
from index.builder import sync_index
from index.config import Settings
from index.progress import NullProgress


class CountingWorkers(NullProgress):
    """Records the most worker processes alive while articles were being read."""

    def __init__(self) -> None:
        super().__init__()
        self.most_workers = 0

    def advance(self, n: int) -> None:
        self.most_workers = max(self.most_workers, len(multiprocessing.active_children()))


def same_tree(a: Path, b: Path) -> bool:
    compared = filecmp.dircmp(a, b)
    if compared.left_only or compared.right_only or compared.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, compared.common_files, shallow=False)
    return not mismatch and not errors and all(same_tree(a / d, b / d) for d in compared.common_dirs)


def test_workers_build_the_same_index_as_one_process(big_corpus: Path, tmp_path: Path) -> None:
    n_articles = len(list(big_corpus.glob("*.txt")))
    assert n_articles >= prepare.PARALLEL_MIN_ARTICLES  # else no worker would start
    alone = Settings(data_dir=tmp_path / "one", ingest_workers=1)
    shared = Settings(data_dir=tmp_path / "two", ingest_workers=2)
    counted_alone, counted_shared = CountingWorkers(), CountingWorkers()
    report_alone = sync_index([big_corpus], alone, embed_spec="lexical", progress=counted_alone)
    report_shared = sync_index([big_corpus], shared, embed_spec="lexical", progress=counted_shared)
    assert counted_alone.most_workers == 0 and counted_shared.most_workers == 2
    assert report_shared.counts() == report_alone.counts() == {
        "indexed": n_articles, "skipped": 0, "unchanged": 0, "removed": 0}
    assert report_shared.chunks_tokenised == report_alone.chunks_tokenised > n_articles
    # Segments (postings, rows, chunk text) and article caches: byte for byte.
    assert same_tree(tmp_path / "one" / "lexical", tmp_path / "two" / "lexical")
    assert same_tree(tmp_path / "one" / "articles", tmp_path / "two" / "articles")
    manifests = [json.loads((tmp_path / d / "manifest.json").read_text()) for d in ("one", "two")]
    assert manifests[0]["segments"] == manifests[1]["segments"]


def processes_with(token: str) -> list[int]:
    """PIDs whose environment holds ``token`` (the run under test and whatever it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if token.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_no_worker_outlives_a_sync_finished_or_killed(big_corpus: Path, tmp_path: Path, hoidap_cmd, cli_env) -> None:
    token = f"HOIDAP_TEST_RUN_TOKEN={uuid.uuid4().hex}"
    env = {**cli_env, "HOIDAP_INGEST_WORKERS": "2", token.split("=")[0]: token.split("=")[1]}
    args = [*hoidap_cmd, "index", str(big_corpus), "--embed-model", "lexical"]

    done = subprocess.run([*args, "--data-dir", str(tmp_path / "finished")], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert processes_with(token) == []

    run = subprocess.Popen([*args, "--data-dir", str(tmp_path / "killed")], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(processes_with(token)) < 3 and run.poll() is None:  # the sync and its two workers
        assert time.monotonic() < deadline, "the workers never started"
        time.sleep(0.02)
    assert run.poll() is None, "the run finished before its workers could be seen"
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=30)
    deadline = time.monotonic() + 10
    while processes_with(token) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_with(token) == []
