"""The JSON API: ask (whole or streamed), health, articles, feedback.

Streaming is NDJSON (``application/x-ndjson``), one JSON object per line:

    {"type": "token", "text": "..."}     append to the answer shown so far
    {"type": "reset", "text": "..."}     discard what was shown; text says why (LLM failed → extractive)
    {"type": "result", "result": {...}}  the final AnswerResult, same as POST /api/ask
    {"type": "error", "detail": "..."}   a failure after streaming began (one Vietnamese sentence)

NDJSON rather than SSE because a fetch() + ReadableStream reader parses it in a
few lines, it works for POST bodies, and curl shows it readably. Errors found
before the first event (empty question, no index) are plain HTTP errors.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from index.config import Settings
from index.errors import HoidapError
from rag.result import AnswerResult
from ui.feedback import FeedbackLog
from ui.filters import build_filters
from ui.runner import AnswerRunner, error_message, error_status
from ui.security import length_message
from ui.status import StatusProbe

MAX_HISTORY_TURNS = 20
MAX_TEXT = 20_000


class FiltersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    doc_ids: list[str] | None = Field(None, max_length=1000, description="Chỉ tìm trong các bài này.")
    date_from: str | None = Field(None, description="YYYY-MM-DD hoặc dd/mm/yyyy (bao gồm).")
    date_to: str | None = Field(None, description="YYYY-MM-DD hoặc dd/mm/yyyy (bao gồm).")


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., max_length=MAX_TEXT, description="Câu hỏi tiếng Việt.")
    history: list[tuple[str, str]] = Field(default_factory=list, max_length=MAX_HISTORY_TURNS,
                                           description="Các lượt trước [[câu hỏi, câu trả lời], ...], cũ trước.")
    filters: FiltersIn | None = None
    mode: Literal["auto", "llm", "extractive"] | None = None
    k: int | None = Field(None, ge=1, le=20, description="Số đoạn trích dẫn.")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., max_length=MAX_TEXT)
    answer: str = Field(..., max_length=MAX_TEXT)
    citations: list[Any] = Field(default_factory=list, max_length=50)
    vote: Literal["up", "down"]


class Problem(HoidapError):
    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status = status


def problem_response(exc: BaseException) -> JSONResponse:
    status = exc.status if isinstance(exc, Problem) else error_status(exc)
    return JSONResponse({"detail": error_message(exc)}, status_code=status)


_REASONS = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường này không được hỗ trợ",
    "literal_error": "giá trị không nằm trong các lựa chọn cho phép",
    "string_type": "phải là một chuỗi văn bản",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "list_type": "phải là một danh sách",
    "tuple_type": "phải là một cặp [câu hỏi, câu trả lời]",
    "too_long": "quá dài hoặc quá nhiều phần tử",
    "too_short": "thiếu phần tử",
    "greater_than_equal": "giá trị quá nhỏ",
    "less_than_equal": "giá trị quá lớn",
    "json_invalid": "nội dung JSON không hợp lệ",
    "model_attributes_type": "phải là một đối tượng JSON",
    "dict_type": "phải là một đối tượng JSON",
}


def validation_message(exc: RequestValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return "Yêu cầu không hợp lệ."
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    reason = _REASONS.get(first.get("type", ""), "giá trị không hợp lệ")
    return f"Yêu cầu không hợp lệ{' ở «' + where + '»' if where else ''}: {reason}."


def validate_question(question: str, settings: Settings) -> str:
    question = (question or "").strip()
    if not question:
        raise Problem(422, "Câu hỏi trống: hãy nhập một câu hỏi.")
    too_long = length_message(question, settings)
    if too_long:
        raise Problem(422, too_long)
    return question


def ask_kwargs(body: AskRequest, runner: AnswerRunner, settings: Settings) -> dict:
    question = validate_question(body.question, settings)
    filters = None
    if body.filters is not None:
        known = runner.answerer.reader.doc_ids if body.filters.doc_ids else None
        filters = build_filters(body.filters.doc_ids, body.filters.date_from, body.filters.date_to, known)
    history = [(q, a) for q, a in body.history]
    return {"question": question, "history": history or None, "filters": filters, "mode": body.mode, "k": body.k}


def _line(obj: dict) -> bytes:
    return (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")


def event_line(event) -> bytes:
    if event.kind == "result":
        return _line({"type": "result", "result": event.result.model_dump(mode="json")})
    return _line({"type": event.kind, "text": event.text})


def build_router(settings: Settings, runner: AnswerRunner, probe: StatusProbe, feedback: FeedbackLog) -> APIRouter:
    router = APIRouter()

    errors = {code: {"description": text, "content": {"application/json": {"example": {"detail": "…"}}}}
              for code, text in [(401, "Cần xác thực"), (422, "Câu hỏi/yêu cầu không hợp lệ"), (429, "Quá nhiều yêu cầu"),
                                 (503, "Chưa có chỉ mục")]}

    @router.post("/api/ask", summary="Hỏi một câu, nhận đối tượng kết quả JSON (AnswerResult)",
                 responses={200: {"model": AnswerResult}, **errors})
    async def ask(body: AskRequest) -> JSONResponse:
        try:
            kwargs = ask_kwargs(body, runner, settings)
            result = await runner.answer(kwargs.pop("question"), **kwargs)
        except Exception as exc:  # noqa: BLE001 - every failure becomes one Vietnamese sentence
            return problem_response(exc)
        return JSONResponse(result.model_dump(mode="json"))

    @router.post("/api/ask/stream", summary="Hỏi một câu, nhận câu trả lời từng phần (NDJSON)",
                 responses={200: {"content": {"application/x-ndjson": {}}}, **errors})
    async def ask_stream(body: AskRequest):
        try:
            kwargs = ask_kwargs(body, runner, settings)
            events = runner.events(kwargs.pop("question"), **kwargs)
            # Wait for the first event before committing to a 200, so early failures keep their status.
            first = await anext(events)
        except Exception as exc:  # noqa: BLE001
            return problem_response(exc)

        async def body_lines():
            yield event_line(first)
            try:
                async for event in events:
                    yield event_line(event)
            except Exception as exc:  # noqa: BLE001 - status already sent: report in-band
                yield _line({"type": "error", "detail": error_message(exc)})
            finally:
                await events.aclose()

        return StreamingResponse(body_lines(), media_type="application/x-ndjson",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @router.get("/healthz", summary="Tình trạng máy chủ: chỉ mục, chế độ trả lời, Ollama")
    async def healthz() -> dict:
        return await run_in_threadpool(probe.health)

    @router.get("/api/articles", summary="Danh sách bài đã lập chỉ mục (để lọc)")
    async def articles() -> JSONResponse:
        try:
            reader = runner.answerer.reader
        except Exception as exc:  # noqa: BLE001
            return problem_response(exc)
        items = [{"doc_id": d, "title": reader.manifest.articles[d].title, "date": reader.manifest.articles[d].date}
                 for d in reader.doc_ids]
        return JSONResponse({"articles": items})

    @router.post("/api/feedback", summary="Ghi phản hồi (hữu ích / chưa tốt) cho một câu trả lời")
    async def post_feedback(body: FeedbackRequest) -> JSONResponse:
        try:
            await run_in_threadpool(feedback.append, body.question, body.answer, body.citations, body.vote)
        except Exception as exc:  # noqa: BLE001
            return problem_response(exc)
        return JSONResponse({"status": "ok", "detail": "Đã ghi nhận phản hồi, xin cảm ơn."}, status_code=201)

    return router


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_message(exc)}, status_code=422)

    @app.exception_handler(HoidapError)
    async def on_hoidap(request: Request, exc: HoidapError) -> JSONResponse:
        return problem_response(exc)
