"""Run the blocking pipeline off the event loop, in one pool shared by every front end.

The JSON API and the Gradio page both answer through ``AnswerRunner``, so
``settings.max_concurrency`` bounds the answers computed at once across the
whole server, while the event loop stays free to serve pages, health checks
and the tokens of answers already running.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import traceback
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from index.errors import HoidapError, IndexBusyError, IndexMismatchError, IndexMissingError
from rag.pipeline import Answerer, StreamEvent
from rag.result import AnswerResult

UNEXPECTED = "Máy chủ gặp lỗi không mong đợi khi trả lời; vui lòng thử lại hoặc báo quản trị viên."
_DONE = object()


def error_status(exc: BaseException) -> int:
    """HTTP status for an error the pipeline raised: the index's state is the server's problem (503),
    anything else it says in words is about the question (422)."""
    if isinstance(exc, (IndexMissingError, IndexBusyError, IndexMismatchError)):
        return 503
    if isinstance(exc, HoidapError):
        return 422
    return 500


def error_message(exc: BaseException) -> str:
    if isinstance(exc, HoidapError):
        return str(exc)
    return UNEXPECTED


class AnswerRunner:
    def __init__(self, answerer: Answerer, max_concurrency: int):
        self.answerer = answerer
        self.executor = ThreadPoolExecutor(max_workers=max(1, max_concurrency), thread_name_prefix="hoidap-answer")

    def warm_up(self) -> None:
        """Open the index, and the embedder and vector store when answers use them, before the first
        question: the first user should not wait for a model to load. A missing index is reported
        per request instead."""
        try:
            reader = self.answerer.reader
            if self.answerer.retriever.dense_weight > 0:
                reader.dense_search("khởi động", 1)
        except Exception as exc:  # noqa: BLE001 - the server still starts; requests say what is wrong
            if not isinstance(exc, HoidapError):
                print(f"hoidap: chưa mở được chỉ mục khi khởi động ({type(exc).__name__}: {exc})", file=sys.stderr)

    async def events(self, question: str, **kwargs) -> AsyncIterator[StreamEvent]:
        """The pipeline's events, produced in the pool; errors are re-raised here."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        stop = threading.Event()

        def put(item) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop closed (server shutting down): nobody is listening
                stop.set()

        def produce() -> None:
            try:
                stream = self.answerer.stream(question, **kwargs)
                try:
                    for event in stream:
                        put(event)
                        if stop.is_set():  # the client went away: stop spending CPU on it
                            break
                finally:
                    stream.close()
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting request
                if not isinstance(exc, HoidapError):
                    traceback.print_exc(file=sys.stderr)
                put(exc)
            finally:
                put(_DONE)

        loop.run_in_executor(self.executor, produce)
        try:
            while True:
                item = await queue.get()
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()

    async def answer(self, question: str, **kwargs) -> AnswerResult:
        result = None
        async for event in self.events(question, **kwargs):
            if event.kind == "result":
                result = event.result
        if result is None:
            raise HoidapError("Không nhận được kết quả từ bộ trả lời; vui lòng thử lại.")
        return result

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
