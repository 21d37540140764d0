"""The JSON API, the widget files and the security layer, over real HTTP against a live server."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.ui.conftest import PHUOC_TAN_Q, XSS_DOC_ID, XSS_Q

pytestmark = pytest.mark.server

VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùýĐ]", re.I)


def assert_vietnamese_detail(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) >= {"detail"}, body
    assert isinstance(body["detail"], str) and VIETNAMESE.search(body["detail"]), body
    assert "Traceback" not in response.text
    return body["detail"]


def ndjson(response: httpx.Response) -> list[dict]:
    return [json.loads(line) for line in response.text.splitlines() if line.strip()]


# --- answering

def test_ask_answers_with_a_cited_source(live):
    with live.client() as client:
        response = client.post("/api/ask", json={"question": PHUOC_TAN_Q})
    assert response.status_code == 200, response.text
    result = response.json()
    assert "553" in result["answer"]
    assert result["abstained"] is False and result["mode"] == "extractive"
    cited = [c for c in result["citations"] if c["cited"]]
    assert cited and cited[0]["doc_id"].startswith("000_")
    quote = cited[0]["quote"]
    assert quote and "553" in quote["text"]
    assert f"[{cited[0]['n']}]" in result["answer"]


def test_stream_yields_tokens_then_one_result(live):
    with live.client() as client:
        response = client.post("/api/ask/stream", json={"question": PHUOC_TAN_Q})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = ndjson(response)
    kinds = [line["type"] for line in lines]
    assert kinds[-1] == "result" and kinds.count("result") == 1
    assert "token" in kinds and kinds.index("token") < kinds.index("result")
    streamed = "".join(line["text"] for line in lines if line["type"] == "token")
    assert streamed == lines[-1]["result"]["answer"] and "553" in streamed


def test_llm_stream_through_fake_ollama_arrives_in_pieces(llm_live):
    with llm_live.client() as client:
        health = client.get("/healthz").json()
        response = client.post("/api/ask/stream", json={"question": PHUOC_TAN_Q})
    assert health["mode"] == "llm"
    assert health["ollama"] == {"reachable": True, "model": "qwen2.5:7b-instruct", "model_present": True}
    lines = ndjson(response)
    tokens = [line["text"] for line in lines if line["type"] == "token"]
    assert len(tokens) > 3, tokens  # really streamed, not one blob
    result = lines[-1]["result"]
    assert result["mode"] == "llm" and "553" in result["answer"]


def test_follow_up_uses_history_and_filters_restrict(live):
    body = {"question": "Còn phường Tây Sơn thì sao?", "history": [[PHUOC_TAN_Q, "Phường Phước Tân có 553 đảng viên [1]."]]}
    with live.client() as client:
        follow = client.post("/api/ask", json=body).json()
        narrowed = client.post("/api/ask", json={"question": PHUOC_TAN_Q, "filters": {"doc_ids": [XSS_DOC_ID]}}).json()
        dated = client.post("/api/ask", json={"question": PHUOC_TAN_Q, "filters": {"date_from": "01/01/2022"}}).json()
    # The follow-up was rewritten with the conversation and searched the Tây Sơn article.
    assert "Tây Sơn" in (follow["rewritten_question"] or "")
    assert follow["citations"][0]["doc_id"].startswith("002_")
    assert {c["doc_id"] for c in narrowed["citations"]} <= {XSS_DOC_ID}
    assert all(c["date"] >= "2022-01-01" for c in dated["citations"])


def test_xss_article_comes_back_as_raw_data(live):
    with live.client() as client:
        result = client.post("/api/ask", json={"question": XSS_Q}).json()
    assert "777" in result["answer"]
    cited = next(c for c in result["citations"] if c["cited"])
    assert cited["doc_id"] == XSS_DOC_ID
    # The API returns the article's characters unchanged; escaping is each renderer's job.
    assert "<script>alert('xss')</script>" in cited["text"]
    assert "<img src=x onerror=alert(1)>" in cited["text"]


# --- input errors

@pytest.mark.parametrize("body, status", [
    ({"question": ""}, 422),
    ({"question": "   "}, 422),
    ({"question": "x" * 501}, 422),
    ({"question": "hỏi", "unknown": 1}, 422),
    ({"question": "hỏi", "mode": "magic"}, 422),
    ({"question": "hỏi", "filters": {"date_from": "31/02/2024"}}, 422),
    ({"question": "hỏi", "filters": {"doc_ids": ["không-có"]}}, 422),
    ({"history": []}, 422),
])
def test_bad_requests_get_one_vietnamese_sentence(live, body, status):
    with live.client() as client:
        response = client.post("/api/ask", json=body)
        streamed = client.post("/api/ask/stream", json=body)
    assert response.status_code == status, response.text
    assert streamed.status_code == status, streamed.text
    assert_vietnamese_detail(response)
    assert_vietnamese_detail(streamed)


def test_too_long_question_says_the_limit(live):
    with live.client() as client:
        response = client.post("/api/ask", json={"question": "Phước Tân " * 100})
    assert response.status_code == 422
    assert "500" in assert_vietnamese_detail(response)


def test_invalid_json_body(live):
    with live.client() as client:
        response = client.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert_vietnamese_detail(response)


def test_missing_index_is_503_not_a_traceback(server_factory, tmp_path):
    from rag.pipeline import Answerer
    from tests.ui.conftest import ui_settings

    empty = ui_settings(tmp_path / "no-index")
    server = server_factory(answerer=Answerer(empty), data_dir=tmp_path / "no-index")
    with server.client() as client:
        response = client.post("/api/ask", json={"question": PHUOC_TAN_Q})
        health = client.get("/healthz").json()
        page = client.get("/")
    assert response.status_code == 503
    assert "hoidap index" in assert_vietnamese_detail(response)
    assert health["status"] == "degraded" and health["index_loaded"] is False
    assert page.status_code == 200


# --- health, articles, feedback

def test_healthz_reports_index_mode_and_ollama(live):
    with live.client() as client:
        health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["index_loaded"] is True
    assert health["articles"] == 6
    assert health["embedder"] == "lexical-hash-v1"
    assert health["mode"] == "extractive"
    assert health["ollama"] == {"reachable": False, "model": "qwen2.5:7b-instruct", "model_present": False}


def test_articles_list_for_filters(live):
    with live.client() as client:
        articles = client.get("/api/articles").json()["articles"]
    assert len(articles) == 6
    assert {"doc_id", "title", "date"} == set(articles[0])
    assert any(a["doc_id"] == XSS_DOC_ID and a["date"] == "2024-03-15" for a in articles)


def test_feedback_is_appended_as_json_lines(live):
    path = live.settings.data_dir / "feedback.jsonl"
    before = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    vote = {"question": PHUOC_TAN_Q, "answer": "553 đảng viên [1].", "citations": [{"n": 1, "doc_id": "000_x"}],
            "vote": "up"}
    with live.client() as client:
        first = client.post("/api/feedback", json=vote)
        second = client.post("/api/feedback", json={**vote, "vote": "down"})
        wrong = client.post("/api/feedback", json={**vote, "vote": "maybe"})
    assert first.status_code == second.status_code == 201
    assert wrong.status_code == 422
    lines = path.read_text(encoding="utf-8").splitlines()[len(before):]
    records = [json.loads(line) for line in lines]
    assert [r["vote"] for r in records] == ["up", "down"]
    assert records[0]["question"] == PHUOC_TAN_Q and records[0]["citations"][0]["doc_id"] == "000_x"
    assert re.match(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", records[0]["time"])


# --- concurrency

def test_eight_concurrent_questions_all_succeed(server_factory, ui_data_dir):
    from rag.pipeline import Answerer
    from tests.ui.conftest import ui_settings

    # A fresh answerer: its index, embedder and vector store open lazily, so this also checks that
    # simultaneous first questions do not trip over each other (Chroma used to fail to open).
    live = server_factory(answerer=Answerer(ui_settings(ui_data_dir)), max_concurrency=8)
    questions = [PHUOC_TAN_Q, XSS_Q, "Hiện Đảng bộ phường Tây Sơn có bao nhiêu đảng viên?", "Ai là Bí thư Huyện ủy?"] * 2

    def ask(i: int) -> httpx.Response:
        path = "/api/ask/stream" if i % 2 else "/api/ask"
        with live.client() as client:
            return client.post(path, json={"question": questions[i]})

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(ask, range(8)))
        with live.client() as client:  # the server stays responsive meanwhile
            assert client.get("/healthz").status_code == 200
    assert [r.status_code for r in responses] == [200] * 8
    assert "553" in responses[0].json()["answer"]
    results = [r.json() if i % 2 == 0 else ndjson(r)[-1]["result"] for i, r in enumerate(responses)]
    assert all(result["warnings"] == [] for result in results), [r["warnings"] for r in results]


# --- static files and pages

def test_widget_embed_example_and_docs_are_served_offline(live):
    with live.client() as client:
        widget = client.get("/widget.js")
        embed = client.get("/embed")
        example = client.get("/example")
        docs = client.get("/docs")
        schema = client.get("/openapi.json")
        page = client.get("/")
    assert widget.status_code == 200 and "javascript" in widget.headers["content-type"]
    assert "attachShadow" in widget.text and "HoidapWidget" in widget.text
    assert not re.search(r"fetch\(\s*[\"']https?:", widget.text)  # every call goes to BASE, the script's own origin
    assert embed.status_code == 200 and 'src="widget.js"' in embed.text
    assert "frame-ancestors" in embed.headers["content-security-policy"]
    # Relative paths (or HOIDAP_PUBLIC_URL), never the request's Host header (issue 11, item 10).
    assert example.status_code == 200 and 'src="/widget.js"' in example.text
    assert 'iframe id="hoidap-frame"' in example.text
    assert docs.status_code == 200 and "/api/ask/stream" in docs.text
    assert schema.json()["paths"]["/api/ask"]
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for response in (embed, example, docs, page):
        # Nothing from a CDN: no absolute URL to another host is loaded by these documents.
        for url in re.findall(r'<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)="(https?://[^"]+)"', response.text):
            assert url.startswith(live.url), url


# --- security

def test_token_required_for_api_and_page_when_set(server_factory):
    server = server_factory(api_token="bi-mat-123")
    with server.client() as client:
        missing = client.post("/api/ask", json={"question": PHUOC_TAN_Q})
        wrong = client.post("/api/ask", json={"question": PHUOC_TAN_Q}, headers={"Authorization": "Bearer sai"})
        good = client.post("/api/ask", json={"question": PHUOC_TAN_Q},
                           headers={"Authorization": "Bearer bi-mat-123"})
        in_url = client.post("/api/ask?token=bi-mat-123", json={"question": PHUOC_TAN_Q})
        page = client.get("/")
        health = client.get("/healthz")
        widget = client.get("/widget.js")
    assert missing.status_code == wrong.status_code == page.status_code == 401
    assert in_url.status_code == 401  # tokens in URLs end up in logs: the API wants the header
    assert_vietnamese_detail(missing)
    assert good.status_code == 200 and "553" in good.json()["answer"]
    assert health.status_code == 200 and widget.status_code == 200  # public: no article data


def test_token_link_sets_cookie_for_the_page(server_factory):
    server = server_factory(api_token="token-abc")
    with server.client(follow_redirects=False) as client:
        first = client.get("/?token=token-abc")
        assert first.status_code == 303 and first.headers["location"] == "/"
        assert "HttpOnly" in first.headers["set-cookie"]
        page = client.get("/")  # the cookie jar now carries the token
    with server.client(follow_redirects=False) as stranger:
        bad = stranger.get("/?token=nope")
    assert page.status_code == 200
    assert bad.status_code == 401


def test_proxy_user_header_mode(server_factory):
    server = server_factory(proxy_user_header="X-Remote-User", trusted_proxies=["127.0.0.1"], rate_limit_per_minute=2)
    with server.client() as client:
        anonymous = client.post("/api/ask", json={"question": PHUOC_TAN_Q})
        alice = [client.post("/api/ask", json={"question": PHUOC_TAN_Q}, headers={"X-Remote-User": "alice"})
                 for _ in range(3)]
        bob = client.post("/api/ask", json={"question": PHUOC_TAN_Q}, headers={"X-Remote-User": "bob"})
    assert anonymous.status_code == 401
    assert_vietnamese_detail(anonymous)
    # The rate limit follows the proxy's user, not the shared proxy address.
    assert [r.status_code for r in alice] == [200, 200, 429]
    assert bob.status_code == 200


def test_cors_allows_only_listed_origins(server_factory):
    server = server_factory(cors_origins=["http://intranet.example"])
    with server.client() as client:
        allowed = client.options("/api/ask", headers={"Origin": "http://intranet.example",
                                                      "Access-Control-Request-Method": "POST",
                                                      "Access-Control-Request-Headers": "content-type"})
        denied = client.options("/api/ask", headers={"Origin": "http://evil.example",
                                                     "Access-Control-Request-Method": "POST"})
        simple = client.post("/api/ask", json={"question": PHUOC_TAN_Q}, headers={"Origin": "http://intranet.example"})
        other = client.post("/api/ask", json={"question": PHUOC_TAN_Q}, headers={"Origin": "http://evil.example"})
        page = client.get("/config", headers={"Origin": "http://localhost:1234"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://intranet.example"
    assert denied.status_code == 400 and "access-control-allow-origin" not in denied.headers
    assert simple.headers["access-control-allow-origin"] == "http://intranet.example"
    assert "access-control-allow-origin" not in other.headers
    assert "access-control-allow-origin" not in page.headers  # Gradio's own permissive CORS stays off


def test_no_cors_by_default(live):
    with live.client() as client:
        response = client.post("/api/ask", json={"question": PHUOC_TAN_Q}, headers={"Origin": "http://intranet.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_rate_limit_returns_429_in_vietnamese(server_factory):
    server = server_factory(rate_limit_per_minute=3)
    with server.client() as client:
        codes = [client.post("/api/ask", json={"question": PHUOC_TAN_Q}).status_code for _ in range(3)]
        limited = client.post("/api/ask/stream", json={"question": PHUOC_TAN_Q})
        health = client.get("/healthz")
    assert codes == [200, 200, 200]
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert "thử lại" in assert_vietnamese_detail(limited)
    assert health.status_code == 200  # only answering is limited


def test_oversized_body_is_refused(live):
    with live.client() as client:
        response = client.post("/api/ask", content=b'{"question": "' + b"a" * 300_000 + b'"}',
                               headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert_vietnamese_detail(response)


def test_the_embed_page_may_be_framed_by_its_own_example_page_when_origins_are_set():
    # With HOIDAP_CORS_ORIGINS set, only those origins could frame /embed: the server's own /example page
    # showed a broken frame (a browser pass).
    from index.config import Settings
    from ui.server import _embed_csp

    policy = _embed_csp(Settings(cors_origins=["http://intranet.example"]))
    ancestors = policy.split("frame-ancestors", 1)[1].split(";")[0].split()
    assert ancestors == ["'self'", "http://intranet.example"]
    assert _embed_csp(Settings()).endswith("frame-ancestors *")
