"""What the server can do right now: index loaded? which mode answers? is Ollama there?

Shared by ``/healthz`` and the page banner. Probes are cached for a few
seconds so a monitoring loop or many open pages cannot hammer Ollama, and
every probe has a short timeout so an unreachable host cannot stall a page.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from index.config import Settings
from index.errors import HoidapError
from rag.pipeline import Answerer

CACHE_SECONDS = 10.0


@dataclass
class ModelStatus:
    mode: str  # "llm" | "extractive": what the configured mode resolves to now
    configured: str  # settings.mode
    model: str
    reachable: bool
    model_present: bool
    reason: str  # Vietnamese, empty when the model answers


class StatusProbe:
    def __init__(self, settings: Settings, answerer: Answerer):
        self.settings = settings
        self.answerer = answerer
        self._lock = threading.Lock()
        self._cached: tuple[float, ModelStatus] | None = None

    def model_status(self) -> ModelStatus:
        with self._lock:
            if self._cached and time.monotonic() - self._cached[0] < CACHE_SECONDS:
                return self._cached[1]
        configured = self.settings.mode
        try:  # the generator's own probe: one /api/tags call serves the pipeline and this check
            reachable, present, reason = self.answerer.generator.status()
        except Exception:  # noqa: BLE001 - a broken generator must not break the health check
            reachable, present, reason = False, False, "không kiểm tra được mô hình ngôn ngữ"
        if configured == "extractive":
            mode, reason = "extractive", "máy chủ được cấu hình chỉ trích xuất (HOIDAP_MODE=extractive)"
        else:
            mode, reason = ("llm", "") if present else ("extractive", reason)
        status = ModelStatus(mode=mode, configured=configured, model=self.settings.ollama_model,
                             reachable=reachable, model_present=present, reason=reason)
        with self._lock:
            self._cached = (time.monotonic(), status)
        return status

    def index_status(self) -> dict:
        try:
            reader = self.answerer.reader
        except HoidapError as exc:
            return {"index_loaded": False, "articles": 0, "embedder": None, "detail": str(exc)}
        return {"index_loaded": True, "articles": len(reader.doc_ids), "embedder": reader.embedder_name}

    def health(self) -> dict:
        index = self.index_status()
        model = self.model_status()
        body = {
            "status": "ok" if index["index_loaded"] else "degraded",
            **index,
            "mode": model.mode,
            "configured_mode": model.configured,
            "ollama": {"reachable": model.reachable, "model": model.model, "model_present": model.model_present},
            "limits": {"max_question_chars": self.settings.max_question_chars,
                       "rate_limit_per_minute": self.settings.rate_limit_per_minute,
                       "page_rate_limit_per_minute": (self.settings.rate_limit_per_minute
                                                      if self.settings.page_rate_limit_per_minute is None
                                                      else self.settings.page_rate_limit_per_minute)},
        }
        if model.reason:
            body["mode_reason"] = model.reason
        guard = getattr(self.answerer.generator, "health", None)
        if guard is not None:  # deadlines, model calls in flight, circuit breaker (never cached)
            body["llm"] = guard()
            breaker = body["llm"]["breaker"]
            if breaker["state"] == "open" and body["mode"] == "llm":
                body["mode"], body["mode_reason"] = "extractive", breaker["reason"]
        return body


def banner_text(status: ModelStatus, settings: Settings) -> tuple[str, str]:
    """(headline, how to enable a model or empty) — plain text, the caller escapes it."""
    if status.mode == "llm":
        return f"Đang trả lời bằng mô hình ngôn ngữ {status.model}.", ""
    headline = "Đang ở chế độ trích xuất (không có mô hình): câu trả lời là câu trích nguyên văn từ bài viết."
    if status.configured == "extractive":
        hint = ("Để dùng mô hình ngôn ngữ: chạy «ollama pull " + settings.ollama_model
                + "» trên máy có Ollama (HOIDAP_OLLAMA_HOST trỏ tới máy đó) và khởi động lại với HOIDAP_MODE=auto.")
    else:
        hint = (f"Lý do: {status.reason}. Để bật: chạy «ollama pull {settings.ollama_model}» "
                "hoặc đặt HOIDAP_OLLAMA_HOST tới máy chủ Ollama trong mạng nội bộ.")
    return headline, hint
