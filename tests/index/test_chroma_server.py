"""The index against a real Chroma server (`chroma run`), not the embedded store."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from index.builder import sync_index
from index.config import Settings
from index.errors import IndexMismatchError
from index.reader import IndexReader

pytestmark = pytest.mark.server

SEED_DIR = Path(__file__).resolve().parents[2] / "seeds"
SEED_000 = "000_550aa94c2a6765eb"


def chroma_executable() -> str:
    beside = Path(sys.executable).parent / "chroma"
    found = str(beside) if beside.exists() else shutil.which("chroma")
    if not found:
        pytest.fail(
            "the `chroma` command was not found beside the Python interpreter nor on PATH; it ships with "
            "the chromadb package (pip install chromadb) and this test needs it to start a real server"
        )
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    """URL of a `chroma run` server on a free local port, stopped after the test."""
    port = free_port()
    log_path = tmp_path / "chroma-server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [chroma_executable(), "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1",
             "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(f"`chroma run` exited with {server.returncode}:\n{log_path.read_text(errors='replace')}")
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"`chroma run` did not answer its heartbeat in 60 s:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_index_into_a_chroma_server(chroma_server: str, tmp_path: Path) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    articles = tmp_path / "articles"
    shutil.copytree(SEED_DIR, articles)
    # dense_weight > 0: the weightless vectors are stored (by default nothing queries them)
    settings = Settings(data_dir=tmp_path / "data", chroma_url=chroma_server, dense_weight=1.0)

    report = sync_index([articles], settings, embed_spec="lexical")

    assert report.counts() == {"indexed": 5, "skipped": 0, "unchanged": 0, "removed": 0}
    reader = IndexReader.open(settings)
    store = reader.manifest.store
    assert store["kind"] == "http" and store["url"] == chroma_server
    assert not (Path(settings.data_dir) / "chroma").exists()  # nothing went to the embedded store

    # The chunks are in the server's collection, read with Chroma's own client.
    port = int(chroma_server.rsplit(":", 1)[1])
    client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_collection(store["collection"])
    got = collection.get(include=["metadatas", "documents", "embeddings"])
    rows = {row["chunk_id"]: row for row in reader.rows}
    assert set(got["ids"]) == set(rows)
    for chunk_id, document, embedding in zip(got["ids"], got["documents"], got["embeddings"]):
        assert document == rows[chunk_id]["text"]
        assert len(embedding) == reader.manifest.embedder["dimension"]
        assert abs(float(np.linalg.norm(embedding)) - 1.0) < 1e-3

    hits = reader.dense_search("Đảng bộ phường Phước Tân có bao nhiêu đảng viên?", 5)
    assert hits and reader.rows[hits[0][0]]["doc_id"] == SEED_000
    filtered = reader.dense_search("Phước Tân", 5, reader.row_mask(doc_ids=["003_62df8ad3059c1ffa"]))
    assert filtered and {reader.rows[row]["doc_id"] for row, _ in filtered} == {"003_62df8ad3059c1ffa"}

    again = sync_index([articles], settings, embed_spec="lexical")
    assert again.counts() == {"indexed": 0, "skipped": 0, "unchanged": 5, "removed": 0}
    assert again.chunks_embedded == 0
    assert collection.count() == len(rows)

    # Dropping --chroma-url on an index that lives in a server is a mismatch, not a silent new index.
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        sync_index([articles], Settings(data_dir=tmp_path / "data"), embed_spec="lexical")
