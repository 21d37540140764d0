"""FakeOllamaServer through the official ``ollama`` client, and OllamaEmbedder against it."""

from __future__ import annotations

import httpx
import numpy as np
import ollama
import pytest

from index.embed_ollama import OllamaEmbedder, same_ollama_model
from index.errors import HoidapError
from tests.support.fake_ollama import split_tokens

REPLY = "Hội nghị diễn ra chiều 7-1 [1].\nCảm ơn."


def test_list_and_show(fake_ollama) -> None:
    client = ollama.Client(host=fake_ollama.url)
    assert [m.model for m in client.list().models] == fake_ollama.models
    shown = client.show("qwen2.5:7b-instruct")
    assert shown.modelinfo["qwen2.context_length"] == fake_ollama.context_length
    with pytest.raises(ollama.ResponseError) as err:
        client.show("khong-co")
    assert err.value.status_code == 404 and "not found" in err.value.error


def test_embed_is_deterministic_and_recorded(fake_ollama) -> None:
    fake_ollama.embed_dimension = 48
    client = ollama.Client(host=fake_ollama.url)
    first = client.embed(model="nomic-embed-text", input=["xin chào", "Nha Trang"])
    again = client.embed(model="nomic-embed-text:latest", input="xin chào")
    assert np.asarray(first.embeddings).shape == (2, 48)
    assert first.embeddings[0] == again.embeddings[0]
    assert fake_ollama.requests[0]["input"] == ["xin chào", "Nha Trang"]
    with pytest.raises(ollama.ResponseError) as err:
        client.embed(model="khong-co", input="x")
    assert err.value.status_code == 404


def test_chat_streams_whitespace_preserving_pieces_and_records_options(fake_ollama) -> None:
    fake_ollama.reply = REPLY
    client = ollama.Client(host=fake_ollama.url)
    parts = list(client.chat(model="qwen2.5:7b-instruct", messages=[{"role": "user", "content": "Hỏi gì đó"}],
                             stream=True, options={"num_ctx": 4096, "temperature": 0.1}))
    assert "".join(p.message.content for p in parts) == REPLY
    assert len(parts) == len(split_tokens(REPLY)) + 1
    assert not any(p.done for p in parts[:-1])
    final = parts[-1]
    assert final.done and final.done_reason == "stop" and final.eval_count == len(split_tokens(REPLY))
    assert fake_ollama.requests[-1]["options"]["num_ctx"] == 4096
    assert fake_ollama.requests[-1]["messages"][0]["content"] == "Hỏi gì đó"


def test_non_streaming_chat_generate_and_callable_reply(fake_ollama) -> None:
    fake_ollama.reply = lambda body: f"Bạn hỏi: {body['messages'][-1]['content'] if 'messages' in body else body['prompt']}"
    client = ollama.Client(host=fake_ollama.url)
    answer = client.chat(model="qwen2.5:7b-instruct", messages=[{"role": "user", "content": "A?"}], stream=False)
    assert answer.message.content == "Bạn hỏi: A?" and answer.done
    pieces = [p.response for p in client.generate(model="qwen2.5:7b-instruct", prompt="B?", stream=True)]
    assert "".join(pieces) == "Bạn hỏi: B?"


def test_failures_are_response_errors(fake_ollama) -> None:
    client = ollama.Client(host=fake_ollama.url)
    with pytest.raises(ollama.ResponseError) as missing:
        client.chat(model="llama3", messages=[{"role": "user", "content": "x"}])
    assert missing.value.status_code == 404
    fake_ollama.fail_status = 500
    with pytest.raises(ollama.ResponseError) as failed:
        list(client.chat(model="qwen2.5:7b-instruct", messages=[{"role": "user", "content": "x"}], stream=True))
    assert failed.value.status_code == 500 and "giả lập" in failed.value.error


def test_dropped_stream_raises_after_the_first_pieces(fake_ollama) -> None:
    fake_ollama.reply = REPLY
    fake_ollama.drop_after_tokens = 2
    client = ollama.Client(host=fake_ollama.url)
    received: list[str] = []
    with pytest.raises(httpx.HTTPError):
        for part in client.chat(model="qwen2.5:7b-instruct", messages=[{"role": "user", "content": "x"}], stream=True):
            received.append(part.message.content)
    assert received == split_tokens(REPLY)[:2]


def test_slow_first_token_hits_the_client_timeout(fake_ollama) -> None:
    fake_ollama.first_token_delay = 5
    client = ollama.Client(host=fake_ollama.url, timeout=httpx.Timeout(0.3, connect=1))
    with pytest.raises(httpx.TimeoutException):
        list(client.chat(model="qwen2.5:7b-instruct", messages=[{"role": "user", "content": "x"}], stream=True))


# --- OllamaEmbedder

def test_model_names_match_with_or_without_latest() -> None:
    assert same_ollama_model("nomic-embed-text", "nomic-embed-text:latest")
    assert same_ollama_model("bge-m3:latest", "bge-m3")
    assert not same_ollama_model("qwen2.5", "qwen2.5:7b-instruct")


def test_ollama_embedder_batches_and_discovers_its_dimension(fake_ollama) -> None:
    embedder = OllamaEmbedder("nomic-embed-text", host=fake_ollama.url, batch_size=2)
    assert embedder.name == "ollama:nomic-embed-text" and embedder.is_available()[0]
    assert embedder.load().dimension == fake_ollama.embed_dimension
    vectors = embedder.embed_queries(["một", "hai", "ba", "bốn", "năm"])
    assert vectors.shape == (5, fake_ollama.embed_dimension) and vectors.dtype == np.float32
    assert [len(r["input"]) for r in fake_ollama.requests] == [1, 2, 2, 1]  # load probe, then batches of 2


def test_ollama_embedder_errors_are_vietnamese_sentences(fake_ollama) -> None:
    with pytest.raises(HoidapError, match="ollama pull bge-m3"):
        OllamaEmbedder("bge-m3", host=fake_ollama.url).embed_passages(["x"])
    fake_ollama.first_token_delay = 5
    with pytest.raises(HoidapError, match="không trả lời kịp"):
        OllamaEmbedder("nomic-embed-text", host=fake_ollama.url, read_timeout=0.3).embed_passages(["x"])
    fake_ollama.first_token_delay = 0
    fake_ollama.fail_status = 500
    with pytest.raises(HoidapError, match="lỗi 500"):
        OllamaEmbedder("nomic-embed-text", host=fake_ollama.url).embed_passages(["x"])
    dead = OllamaEmbedder("nomic-embed-text", host="http://127.0.0.1:9", connect_timeout=0.5)
    assert dead.is_available()[0] is False
    with pytest.raises(HoidapError, match="Không kết nối được Ollama"):
        dead.embed_passages(["x"])
