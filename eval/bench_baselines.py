"""Workers `hoidap bench` runs in their own processes: hoidap's query side (quality, latency,
profile), a profiled ingest, the plain llama-index baselines and the cost of a real dense
embedder measured with random weights.

Run as ``python -m eval.bench_baselines {query|ingest_profile|llama|dense} ARGS.json RESULT.json``:
a subprocess per worker gives each its own peak memory and keeps imports, caches, llama-index's
global Settings and torch's threads out of the next measurement. Results go to a file because
llama-index prints to stdout.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

from eval.bench_corpus import train_wordpiece
from eval.bench_report import RETRIEVAL_KEYS, latency_summary, peak_rss_mb, retrieval_quality
from eval.harness import GoldItem, load_gold
from eval.metrics import mean

GOLD = Path(__file__).resolve().parent / "gold" / "seeds.jsonl"
# Architecture of intfloat/multilingual-e5-small (a BertModel); only the weights are random.
E5_SMALL = {"hidden_size": 384, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 1536,
            "vocab_size": 250037, "max_position_embeddings": 512, "type_vocab_size": 2}


def _offline_tiktoken() -> dict:
    """llama-index's SentenceSplitter counts tokens with tiktoken; llama-index points
    TIKTOKEN_CACHE_DIR at its bundled cache while it loads the encoding. Make any download
    attempt an error, so "offline" is verified rather than assumed."""
    import tiktoken.load

    def no_download(blobpath: str) -> bytes:
        raise RuntimeError(f"tiktoken tried to download {blobpath}")

    tiktoken.load.read_file = no_download
    import llama_index.core
    from llama_index.core.utils import get_tokenizer

    bundled = Path(llama_index.core.__file__).parent / "_static" / "tiktoken_cache"
    get_tokenizer()  # raises above if the bundled cache did not serve the encoding
    return {"tiktoken_cache": str(bundled), "bundled_files": len(list(bundled.glob("*"))), "download_blocked": True}


def _hashing_embedding():
    """hoidap's weightless embedder as a llama-index BaseEmbedding, so both pipelines see the same vectors."""
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from pydantic import PrivateAttr

    from index.embed_hashing import HashingEmbedder

    class HashingLlamaEmbedding(BaseEmbedding):
        _inner: HashingEmbedder = PrivateAttr()

        def __init__(self, **kwargs):
            super().__init__(model_name=HashingEmbedder.name, embed_batch_size=256, **kwargs)
            self._inner = HashingEmbedder()

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._inner.embed_queries([query])[0].tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._inner.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._inner.embed_passages(texts).tolist()

    return HashingLlamaEmbedding()


def _timed_retrieval(retriever, items: list[GoldItem], repeats: int) -> tuple[dict, dict]:
    per_question: dict[str, list[float]] = {item.id: [] for item in items}
    retrieved: dict[str, list[dict]] = {}
    for _ in range(max(1, repeats)):
        for item in items:
            started = time.perf_counter()
            nodes = retriever.retrieve(item.question)
            per_question[item.id].append((time.perf_counter() - started) * 1000)
            retrieved[item.id] = [{"doc_id": Path(n.node.metadata.get("file_name", "")).stem,
                                   "text": n.node.get_content()} for n in nodes]
    return latency_summary([statistics.median(v) for v in per_question.values()]), retrieved


def run_llama(args: dict) -> dict:
    offline = _offline_tiktoken()
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Settings, SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.retrievers.bm25 import BM25Retriever
    from llama_index.vector_stores.chroma import ChromaVectorStore

    Settings.llm = None  # never an OpenAI default: no LLM is needed to retrieve
    embed = _hashing_embedding()
    Settings.embed_model = embed
    items, k, repeats = load_gold(Path(args["gold"])), args["k"], args["repeats"]
    out: dict = {"offline": offline}

    started = time.perf_counter()
    documents = SimpleDirectoryReader(args["corpus"]).load_data()
    read_s = time.perf_counter() - started
    client = chromadb.PersistentClient(path=str(Path(args["work"]) / "llama-chroma"),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    # Chroma's default embedding function would download a model; llama-index passes vectors anyway.
    collection = client.get_or_create_collection("llama-baseline", embedding_function=None)
    started = time.perf_counter()
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    index = VectorStoreIndex.from_documents(documents, storage_context=storage, embed_model=embed)
    vector_build = time.perf_counter() - started
    latency, retrieved = _timed_retrieval(index.as_retriever(similarity_top_k=k), items, repeats)
    out["llama_vector"] = {"build_s": round(read_s + vector_build, 3), "nodes": collection.count(),
                           "retrieval_ms": latency, "quality": retrieval_quality(items, retrieved)}

    started = time.perf_counter()
    nodes = SentenceSplitter()(documents)
    bm25 = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=k)
    bm25_build = time.perf_counter() - started
    latency, retrieved = _timed_retrieval(bm25, items, repeats)
    out["llama_bm25"] = {"build_s": round(read_s + bm25_build, 3), "nodes": len(nodes),
                         "retrieval_ms": latency, "quality": retrieval_quality(items, retrieved)}
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return out


def build_random_e5_small(out_dir: Path, texts: list[str], seed: int = 0) -> Path:
    """A sentence-transformers directory with e5-small's exact architecture and random weights.

    The tokenizer is a WordPiece trained on the corpus (~30k entries) while the embedding
    matrix keeps e5's 250,037 rows: compute per token is identical (the lookup is a gather),
    memory matches the real model, and token counts per Vietnamese passage are close to
    XLM-R's sentencepiece (about one token per syllable) — the one approximation.
    """
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    try:
        from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    except ImportError:
        from sentence_transformers.models import Normalize, Pooling, Transformer
    hf_dir = out_dir.parent / (out_dir.name + "-hf")
    hf_dir.mkdir(parents=True, exist_ok=True)
    (hf_dir / "vocab.txt").write_text("\n".join(train_wordpiece(texts, 30000)) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast.from_pretrained(str(hf_dir), do_lower_case=True, strip_accents=False)
    tokenizer.model_max_length = 512
    tokenizer.save_pretrained(str(hf_dir))
    torch.manual_seed(seed)
    config = BertConfig(**E5_SMALL)
    BertModel(config).save_pretrained(str(hf_dir))
    modules = [Transformer(str(hf_dir), max_seq_length=512), Pooling(config.hidden_size, "mean"), Normalize()]
    SentenceTransformer(modules=modules, device="cpu").save(str(out_dir))
    import shutil

    shutil.rmtree(hf_dir)  # the saved model is self-contained; half a gigabyte less on disk
    return out_dir


def run_dense(args: dict) -> dict:
    from index.embed_st import SentenceTransformerEmbedder

    passages = json.loads(Path(args["passages"]).read_text(encoding="utf-8"))
    questions = [item.question for item in load_gold(Path(args["gold"]))][: args.get("queries", 30)]
    started = time.perf_counter()
    # "e5" in the directory name gives it e5's "query: " / "passage: " prefixes, as the real one.
    model_dir = build_random_e5_small(Path(args["work"]) / "random-multilingual-e5-small", passages + questions)
    build_s = time.perf_counter() - started
    embedder = SentenceTransformerEmbedder(str(model_dir), batch_size=args["batch"])
    started = time.perf_counter()
    embedder.load()
    load_s = time.perf_counter() - started
    import torch

    tokenizer = embedder._encoder._model.tokenizer  # token counts only, for the record
    lengths = [len(tokenizer("passage: " + p, truncation=True, max_length=512)["input_ids"]) for p in passages]
    embedder.embed_passages(passages[: args["batch"]])  # warm-up: first-batch allocations
    started = time.perf_counter()
    vectors = embedder.embed_passages(passages)
    embed_s = time.perf_counter() - started
    for q in questions[:3]:
        embedder.embed_queries([q])
    query_ms = []
    for q in questions:
        started = time.perf_counter()
        embedder.embed_queries([q])
        query_ms.append((time.perf_counter() - started) * 1000)
    return {
        "architecture": E5_SMALL, "pooling": "mean", "weights": "random", "torch_threads": torch.get_num_threads(),
        "sample": len(passages), "batch": args["batch"], "chars_median": int(statistics.median(map(len, passages))),
        "tokens_median": int(statistics.median(lengths)), "tokens_max": max(lengths), "dimension": int(vectors.shape[1]),
        "build_s": round(build_s, 2), "load_s": round(load_s, 2), "embed_s": round(embed_s, 3),
        "passages_per_s": round(len(passages) / embed_s, 2), "query_ms": latency_summary(query_ms),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def run_query(args: dict) -> dict:
    """Quality with eval.harness, then per-question median latencies over ``repeats`` passes."""
    from eval.harness import evaluate
    from index.config import load_settings
    from rag.pipeline import Answerer

    items = load_gold(Path(args.get("gold") or GOLD))
    answerer = Answerer(load_settings(data_dir=Path(args["data_dir"]), mode="extractive"))
    started = time.perf_counter()
    answerer.answer(items[0].question, mode="extractive")  # opens the index: reported, not averaged in
    open_ms = (time.perf_counter() - started) * 1000
    report, _ = evaluate(answerer, items, mode="extractive")
    retrieval: dict[str, list[float]] = {item.id: [] for item in items}
    answer: dict[str, list[float]] = {item.id: [] for item in items}
    for _ in range(max(1, args["repeats"])):
        for item in items:
            started = time.perf_counter()
            answerer.retriever.retrieve(item.question, k=answerer.settings.top_k)
            retrieval[item.id].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            answerer.answer(item.question, mode="extractive")
            answer[item.id].append((time.perf_counter() - started) * 1000)
    quality = {"n": report["n"], "n_answerable": sum(i.answerable for i in items), **report["retrieval"],
               **{k: report["answer"][k] for k in ("contains", "em", "f1")}, "citation_hit": report["citation"]["hit"],
               **report["abstention"]}
    out = {"open_ms": round(open_ms, 1), "quality": quality,
           "retrieval_ms": latency_summary([statistics.median(v) for v in retrieval.values()]),
           "answer_ms": latency_summary([statistics.median(v) for v in answer.values()])}
    if args.get("profile"):
        from pyinstrument import Profiler

        from eval.bench_report import hotspots

        profiler = Profiler(interval=0.0005)
        profiler.start()
        for item in items:
            answerer.answer(item.question, mode="extractive")
        profiler.stop()
        out["profile"] = hotspots(profiler)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)  # before the checks below load every vector
    if answerer.reader.manifest.store.get("vectors", True):
        out["fusion_ablation"] = _fusion_ablation(answerer, items)
        out["ann_recall@30"] = _ann_recall(answerer.reader, items)
    else:  # the weightless default stores no vectors (nothing queries them): nothing to ablate
        out["fusion_ablation"] = {"skipped": "no vectors stored"}
        out["ann_recall@30"] = None
    return out


def _fusion_ablation(answerer, items: list[GoldItem]) -> dict:
    """The same questions with the other fusion: dense side off if the default uses it, else the
    weightless dense view at its former weight 0.5 — what the vector side adds or costs."""
    from eval.harness import evaluate
    from rag.pipeline import Answerer

    default = answerer.retriever.dense_weight
    weight = 0.0 if default > 0 else 0.5
    other = Answerer(answerer.settings.model_copy(update={"dense_weight": weight}), reader=answerer.reader)
    report, _ = evaluate(other, items, mode="extractive")
    times = []
    for item in items:
        started = time.perf_counter()
        other.retriever.retrieve(item.question, k=other.settings.top_k)
        times.append((time.perf_counter() - started) * 1000)
    return {"dense_weight": weight, "default_dense_weight": default, **{k: report["retrieval"][k] for k in RETRIEVAL_KEYS},
            "contains": report["answer"]["contains"], **report["abstention"], "retrieval_ms": latency_summary(times)}


def _ann_recall(reader, items: list[GoldItem], n: int = 30) -> float | None:
    """Share of Chroma's top-n (HNSW) that an exact search over all stored vectors also ranks
    top-n; a hit tied with the exact n-th score counts, since duplicates make ties common."""
    import numpy as np

    matrix = np.asarray(reader.store.collection().get(include=["embeddings"])["embeddings"], dtype=np.float32)
    n = min(n, len(matrix))
    if n == 0:  # an index that stores no vectors
        return None
    recalls = []
    for item in items:
        vector = reader.embedder.embed_queries([item.question])[0]
        kth = np.partition(matrix @ vector, -n)[-n]
        recalls.append(sum(score >= kth - 1e-4 for _, score in reader.store.query(vector, n)) / n)
    return round(mean(recalls), 4)


def run_ingest_profile(args: dict) -> dict:
    from pyinstrument import Profiler

    from eval.bench_report import hotspots
    from index.builder import sync_index
    from index.config import load_settings

    settings = load_settings(data_dir=Path(args["data_dir"]), embed_model="lexical")
    profiler = Profiler(interval=0.002)
    profiler.start()
    sync_index([Path(args["corpus"])], settings)
    profiler.stop()
    return hotspots(profiler)


WORKERS = {"query": run_query, "ingest_profile": run_ingest_profile, "llama": run_llama, "dense": run_dense}


def main(argv: list[str]) -> None:
    kind, args_path, result_path = argv
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args = json.loads(Path(args_path).read_text(encoding="utf-8"))
    result = WORKERS[kind](args)
    Path(result_path).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
