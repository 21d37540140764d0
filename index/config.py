"""The one typed configuration object.

Every setting can come from the environment (prefix ``HOIDAP_``, e.g.
``HOIDAP_DATA_DIR``) and every CLI flag defaults from here. Unknown keys
are rejected so a typo in a setting is an error, not a silent default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOIDAP_", extra="forbid", validate_assignment=True)

    # --- where things live
    data_dir: Path = Field(Path("data"), description="Index and feedback live here (git-ignored).")

    # --- loading
    max_file_bytes: int = Field(10_000_000, description="Larger files are skipped with a warning.")
    allow_outside_links: bool = Field(False, description="Index symlinks whose target is outside the folder.")
    max_unzipped_bytes: int = Field(50_000_000, ge=1, description="A .docx unpacking to more is skipped (zip bomb).")
    max_zip_entries: int = Field(1000, ge=1, description="A .docx with more entries is skipped.")

    # --- chunking
    chunk_chars: int = Field(600, ge=100, description="Target chunk size in characters.")
    chunk_overlap_sentences: int = Field(0, ge=0, le=3)

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
    refusal_threshold: float | None = Field(None, description="Override the calibrated refusal threshold.")
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

    @property
    def index_dir(self) -> Path:
        return Path(self.data_dir)


def load_settings(**overrides) -> Settings:
    """Settings from the environment, with explicit (non-None) overrides on top."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
