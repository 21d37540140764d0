"""Nothing in the index path falls back to llama-index's OpenAI defaults.

llama-index resolves ``Settings.llm`` / ``Settings.embed_model`` to OpenAI the
first time anything asks for them. In a fresh interpreter with no API key, the
hub offline and every OpenAI module made unimportable, a full sync and a dense
query must succeed without ever resolving either default.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEED_DIR = REPO / "seeds"

SCRIPT = r'''
import importlib.abc
import json
import sys
from pathlib import Path

BLOCKED = ("openai", "llama_index.llms.openai", "llama_index.embeddings.openai")
attempts = []


class BlockOpenAI(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == b or name.startswith(b + ".") for b in BLOCKED):
            attempts.append(name)
            raise ImportError(f"blocked by the test: {name}")
        return None


sys.meta_path.insert(0, BlockOpenAI())
for name in BLOCKED:
    sys.modules.pop(name, None)

from index.builder import sync_index
from index.config import Settings
from index.reader import IndexReader

seeds, work, model = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
result = {}
for label, spec in (("lexical", "lexical"), ("st", model)):
    # dense_weight > 0: the weightless vectors are written too (by default nothing queries them)
    settings = Settings(data_dir=work / label, dense_weight=1.0)
    report = sync_index([seeds], settings, embed_spec=spec)
    reader = IndexReader.open(settings)
    hits = reader.dense_search("Đảng bộ phường Phước Tân có bao nhiêu đảng viên", 3)
    result[label] = {
        "counts": report.counts(),
        "embedder": report.embedder["name"],
        "hits": len(hits),
        "top_doc": reader.rows[hits[0][0]]["doc_id"] if hits else None,
    }

from llama_index.core import Settings as LlamaSettings

result["llm_resolved"] = LlamaSettings._llm is not None
result["embed_model_resolved"] = LlamaSettings._embed_model is not None
result["openai_import_attempts"] = attempts
result["openai_modules_loaded"] = sorted(
    m for m in sys.modules if any(m == b or m.startswith(b + ".") for b in BLOCKED) and sys.modules[m] is not None
)
result["huggingface_embedding_used"] = "llama_index.embeddings.huggingface" in sys.modules
print("RESULT " + json.dumps(result))
'''


def test_sync_and_query_never_resolve_openai_defaults(tmp_path: Path, tiny_st_model: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "HOIDAP_"))}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(SEED_DIR), str(tmp_path), str(tiny_st_model)],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))

    assert result["openai_import_attempts"] == []
    assert result["openai_modules_loaded"] == []
    assert result["llm_resolved"] is False
    assert result["embed_model_resolved"] is False
    assert result["lexical"]["counts"]["indexed"] == 5
    assert result["lexical"]["embedder"] == "lexical-hash-v1"
    assert result["lexical"]["top_doc"] == "000_550aa94c2a6765eb"
    assert result["st"]["counts"]["indexed"] == 5
    assert result["st"]["embedder"] == f"st:{tiny_st_model.resolve()}"
    assert result["st"]["hits"] == 3  # random weights: any rows, but real vectors from the model
    # The sentence-transformers path really went through llama-index's HuggingFaceEmbedding.
    assert result["huggingface_embedding_used"] is True
