"""The one typed configuration object.

Every setting can come from the environment (prefix ``HOIDAP_``, e.g.
``HOIDAP_DATA_DIR``) and every CLI flag defaults from here. Unknown keys
are rejected so a typo in a setting is an error, not a silent default.

List settings accept one value (``http://a``), comma-separated values
(``http://a,http://b``) or a JSON list (``["http://a"]``); a setting that
cannot be read is named in one Vietnamese sentence (``SettingError``).
"""

from __future__ import annotations

import json
import os
import types
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from index.errors import HoidapError

ENV_PREFIX = "HOIDAP_"


class SettingError(HoidapError):
    """A setting (environment variable or flag) that cannot be read."""


def _is_list_field(annotation: Any) -> bool:
    """list[...], tuple[...], set[...], or one of them | None."""
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_is_list_field(arg) for arg in typing.get_args(annotation))
    return False


def _is_dict_field(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is dict or annotation is dict:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_is_dict_field(arg) for arg in typing.get_args(annotation))
    return False


def read_json_object(value: Any) -> Any:
    """A dict setting from the environment is JSON ('{"a": 1}'); anything else unchanged."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value) if value.strip() else {}
    except ValueError as exc:
        raise ValueError(f"đối tượng JSON không đọc được: {exc.msg}") from None


def split_list(value: Any) -> Any:
    """'a' -> ['a']; 'a, b' -> ['a', 'b']; '["a"]' -> ['a']; '' -> []; anything else unchanged."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ValueError(f"danh sách JSON không đọc được: {exc.msg}") from None
    return [part.strip() for part in text.split(",") if part.strip()]


class Settings(BaseSettings):
    # enable_decoding=False: list (and dict) fields arrive from the environment as the raw string,
    # and _lists (below) reads every one of them the same way.
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", validate_assignment=True,
                                      enable_decoding=False)

    # --- where things live
    data_dir: Path = Field(Path("data"), description="Index and feedback live here (git-ignored).")

    # --- loading
    max_file_bytes: int = Field(10_000_000, description="Larger files are skipped with a warning.")
    allow_outside_links: bool = Field(False, description="Index symlinks whose target is outside the folder.")
    max_unzipped_bytes: int = Field(50_000_000, ge=1, description="A .docx unpacking to more is skipped (zip bomb).")
    max_zip_entries: int = Field(1000, ge=1, description="A .docx with more entries is skipped.")

    # --- chunking
    chunk_chars: int = Field(1400, ge=100, description="Target chunk size in characters (docs/chunking.md).")
    chunk_overlap_sentences: int = Field(0, ge=0, le=3)
    ingest_workers: int | None = Field(
        None, ge=1, description="Processes that prepare articles in a large sync; None = one per core, up to 4.")

    # --- embeddings and store
    embed_model: str = Field(
        "auto",
        description="auto | lexical | a sentence-transformers name or path | ollama:<model>",
    )
    default_st_model: str = "intfloat/multilingual-e5-small"
    embed_batch_size: int = 32
    chroma_url: str | None = Field(None, description="http://host:port of a `chroma run` server; empty = embedded.")

    # --- retrieval
    top_k: int = Field(5, ge=1, le=50)
    candidates: int = Field(30, ge=5, le=500, description="Per retriever, before fusion.")
    rrf_k: int = 60
    dense_weight: float | None = Field(None, ge=0.0, description="Weight of the vector side in fusion; None = measured default.")
    reranker: str | None = Field(None, description="sentence-transformers CrossEncoder name or path.")

    # --- answering
    mode: Literal["auto", "llm", "extractive"] = "auto"
    refusal_threshold: float | None = Field(None, description="Override the calibrated refusal threshold (0..1).")
    answerer_model: Path | None = Field(None, description="A model file written by 'hoidap train'; None = the shipped one.")
    ollama_host: str = "http://127.0.0.1:11434"
    ollama_model: str = "qwen2.5:7b-instruct"
    ollama_num_ctx: int | None = Field(None, description="None = sized to the prompt.")
    ollama_keep_alive: str = "10m"
    ollama_temperature: float = 0.1
    ollama_connect_timeout: float = 2.0
    ollama_read_timeout: float = Field(120.0, description="Socket read timeout; capped at the first-token deadline + 5 s.")
    llm_first_token_timeout: float = Field(20.0, gt=0, description="No first token by then: extractive answer.")
    llm_total_timeout: float = Field(90.0, gt=0, description="Answer not finished by then: extractive answer.")
    llm_max_calls: int = Field(2, ge=1, description="Model calls at once; more questions get the extractive answer.")
    llm_breaker_failures: int = Field(3, ge=1, description="Deadline misses in a row that open the breaker.")
    llm_breaker_cooldown: float = Field(60.0, ge=0, description="Seconds the open breaker stops calling the model.")

    # --- serving
    host: str = "127.0.0.1"
    port: int = 7860
    cors_origins: list[str] = Field(default_factory=list)
    api_token: str | None = None
    proxy_user_header: str | None = Field(None, description="Header naming the user; believed only from trusted_proxies.")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks (CIDR) of reverse proxies whose forwarded headers are believed.")
    rate_limit_per_minute: int = Field(30, description="API questions (and feedback) per minute per user; 0 = off.")
    page_rate_limit_per_minute: int | None = Field(
        None, description="Chat page questions per minute per user, a budget of its own; None = as the API.")
    public_url: str | None = Field(None, description="The address users reach the server by, for /example's snippets.")
    http_header_timeout: float = Field(10.0, gt=0, description="Seconds a client has to send request headers.")
    http_body_timeout: float = Field(30.0, gt=0, description="Seconds a client has to send the request body.")
    max_question_chars: int = 500
    max_concurrency: int = 8

    @field_validator("*", mode="before")
    @classmethod
    def _lists(cls, value: Any, info) -> Any:
        field = cls.model_fields.get(info.field_name) if info.field_name else None
        if field is not None and _is_list_field(field.annotation):
            return split_list(value)
        if field is not None and _is_dict_field(field.annotation):  # decoding is off for these too
            return read_json_object(value)
        return value

    @property
    def index_dir(self) -> Path:
        return Path(self.data_dir)


def _setting_name(field: str) -> str:
    """The environment variable that sets ``field``."""
    return f"{ENV_PREFIX}{field.upper()}"


# pydantic's error types, said in Vietnamese; others keep pydantic's own wording.
_VI_ERRORS = {
    "int_parsing": "phải là một số nguyên", "int_type": "phải là một số nguyên",
    "float_parsing": "phải là một số", "float_type": "phải là một số",
    "bool_parsing": "phải là true hoặc false", "bool_type": "phải là true hoặc false",
    "literal_error": "phải là một trong: {expected}",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}", "greater_than": "phải lớn hơn {gt}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}", "less_than": "phải nhỏ hơn {lt}",
    "list_type": "phải là một danh sách (một giá trị, các giá trị cách nhau bởi dấu phẩy, hoặc JSON)",
    "string_type": "phải là một chuỗi ký tự",
}


def _vi_reason(error: dict) -> str:
    template = _VI_ERRORS.get(str(error.get("type")))
    if template:
        try:
            return template.format(**(error.get("ctx") or {})).replace("' or '", "' hoặc '")
        except (KeyError, IndexError):
            pass
    return str(error.get("msg", "")).removeprefix("Value error, ")


def describe_error(exc: Exception) -> str:
    """One Vietnamese sentence naming the setting(s) that could not be read."""
    if isinstance(exc, ValidationError):
        parts = []
        for error in exc.errors()[:3]:
            field = ".".join(str(x) for x in error.get("loc", ())[:1]) or "?"
            if error.get("type") == "extra_forbidden":
                parts.append(f"{_setting_name(field)} không phải là thiết lập của hoidap")
                continue
            raw = os.environ.get(_setting_name(field)) if field != "?" else None
            shown = f" = «{raw[:80]}»" if raw is not None else ""
            parts.append(f"{_setting_name(field)}{shown} không hợp lệ: {_vi_reason(error)}")
        return "Thiết lập không hợp lệ: " + "; ".join(parts) + "."
    return f"Thiết lập không hợp lệ: {exc}."


def load_settings(**overrides) -> Settings:
    """Settings from the environment, with explicit (non-None) overrides on top."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except (ValidationError, SettingsError) as exc:
        raise SettingError(describe_error(exc)) from None
