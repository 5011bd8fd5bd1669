"""vLLM's side of the protocol, without the HTTP server: request checks as vLLM makes them
(and PaddleOCR-VL's processor: the aspect-ratio limit, the context length), error bodies,
the chat-completion answer and a stand-in token count.

What it mimics (vLLM >= 0.11.1 serving PaddleOCR-VL; the PaddleX request shape is in
/tmp/research/paddleocr_vl.md §3.3):
- `GET /health` answers 200 with an empty body, and `GET /v1/models` lists the served names.
- `POST /v1/chat/completions` takes one user message: an `image_url` part (a base64 data URL)
  and a `text` part (the task prompt). vLLM's extra parameters (`skip_special_tokens`,
  `mm_processor_kwargs`, `repetition_penalty`) arrive as top-level keys.
- With an API key set, `/v1/*` needs `Authorization: Bearer <key>`. Otherwise the answer is
  401 `{"error": "Unauthorized"}`, as vLLM's middleware sends; `/health` stays open.
- Errors use vLLM's body. From vLLM 0.10.1 on (PR #22099), and so for every vLLM that runs
  PaddleOCR-VL, the body is nested: `{"error": {"message", "type", "param", "code"}}`.
  `error_style="flat"` gives the older body instead:
  `{"object": "error", "message", "type", "param": null, "code"}`.
- `skip_special_tokens` defaults to true, as in vLLM. Then `<|...|>` tokens are removed from
  the answer, so spotting needs `skip_special_tokens: false` to keep its LOC tokens. OTSL
  table tags are ordinary tokens and are never removed. (This is inferred from PaddleX, which
  turns the flag off only for spotting.)
- `max_completion_tokens` (or `max_tokens`) cuts the answer at that many fake tokens and
  sets `finish_reason: "length"`.
- A crop with an aspect ratio over 200 is a 400 ("absolute aspect ratio must be smaller
  than 200, got …", the image processor's ValueError), and so is a prompt plus
  max_tokens beyond `max_model_len` (vLLM's own messages for both cases).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import time
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal

from PIL import Image

from docparse.testing.fake_vlm.responder import PROMPTS

ErrorStyle = Literal["nested", "flat"]

_DATA_URL = re.compile(r"data:image/[\w.+-]+;base64,(?P<b64>.*)", re.S)
SPECIAL_TOKEN = re.compile(r"<\|[A-Za-z0-9_]+\|>")
# A stand-in tokenizer: special tokens, OTSL tags, words, and single other characters.
FAKE_TOKEN = re.compile(r"<\|[A-Za-z0-9_]+\|>|<[a-z]+>|\w+|\S")
_ERROR_TYPES = {
    400: "BadRequestError",
    404: "NotFoundError",
    429: "TooManyRequestsError",
    500: "InternalServerError",
    501: "NotImplementedError",
    503: "ServiceUnavailableError",
}
# PaddleX's defaults (§3.2). They are only used to make a plausible prompt_tokens count.
MIN_PIXELS, MAX_PIXELS = 112896, 1003520
_PIXELS_PER_TOKEN = 28 * 28  # 14 px patches, merged 2x2
_TEMPLATE_TOKENS = 12
# The image processor's limit (transformers' Qwen2-VL smart_resize, which PaddleOCR-VL's
# processor follows): a crop longer than 200 times its width (or the reverse) is refused.
MAX_ASPECT_RATIO = 200
MAX_MODEL_LEN = 16384  # what the PaddleOCR-VL server reports as max_model_len


class ApiError(Exception):
    def __init__(self, status: int, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param = status, message, param


def error_body(status: int, message: str, param: str | None, style: ErrorStyle) -> dict[str, Any]:
    err_type = (
        _ERROR_TYPES.get(status)
        or HTTPStatus(status).phrase.replace(" ", "").replace("-", "") + "Error"
    )
    if style == "flat":
        # vLLM before 0.10.1 never filled in param.
        return {
            "object": "error",
            "message": message,
            "type": err_type,
            "param": None,
            "code": status,
        }
    return {"error": {"message": message, "type": err_type, "param": param, "code": status}}


@dataclass
class ChatRequest:
    model: str
    prompt: str
    image: Image.Image
    max_tokens: int | None


def validate(body: dict[str, Any], served: list[str]) -> ChatRequest:
    """Check the request the way vLLM would, plus PaddleOCR-VL's shape: one image and one
    known prompt."""
    # vLLM uses its first served name when the request leaves the model out.
    model = body.get("model") or (served[0] if served else "")
    if model not in served:
        raise ApiError(404, f"The model `{model}` does not exist.", "model")
    if body.get("stream"):
        raise ApiError(400, "FakeVLM does not implement streaming.", "stream")
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
        raise ApiError(400, f"max_tokens must be at least 1, got {max_tokens}.", "max_tokens")
    temperature = body.get("temperature")
    if temperature is not None and (not isinstance(temperature, int | float) or temperature < 0):
        raise ApiError(400, f"temperature must be non-negative, got {temperature}.", "temperature")
    top_p = body.get("top_p")
    if top_p is not None and (not isinstance(top_p, int | float) or not 0 < top_p <= 1):
        raise ApiError(400, f"top_p must be in (0, 1], got {top_p}.", "top_p")
    penalty = body.get("repetition_penalty")
    if penalty is not None and (not isinstance(penalty, int | float) or penalty <= 0):
        raise ApiError(
            400,
            f"repetition_penalty must be greater than zero, got {penalty}.",
            "repetition_penalty",
        )
    parts = _user_parts(body.get("messages"))
    images = [p for p in parts if p.get("type") == "image_url"]
    texts = [p for p in parts if p.get("type") == "text"]
    if len(images) != 1 or len(texts) != 1 or len(parts) != 2:
        raise ApiError(
            400,
            "PaddleOCR-VL expects one image_url part and one text part, "
            f"got {[p.get('type') for p in parts]}.",
            "messages",
        )
    prompt = texts[0].get("text")
    if prompt not in PROMPTS:
        raise ApiError(400, f"Unknown prompt {prompt!r}; PaddleOCR-VL knows {PROMPTS}.", "messages")
    return ChatRequest(model, prompt, _decode_image(images[0].get("image_url")), max_tokens)


def check_limits(request: ChatRequest, body: dict[str, Any], max_model_len: int) -> int:
    """What the real server refuses only once it looks at the image: an extreme aspect
    ratio, and a prompt plus max_tokens beyond the context. Returns the prompt tokens."""
    width, height = request.image.size
    ratio = max(width, height) / max(1, min(width, height))
    if ratio > MAX_ASPECT_RATIO:
        raise ApiError(
            400, f"absolute aspect ratio must be smaller than {MAX_ASPECT_RATIO}, got {ratio}"
        )
    tokens = prompt_tokens(body, request.prompt, request.image)
    if tokens >= max_model_len:
        raise ApiError(
            400,
            f"This model's maximum context length is {max_model_len} tokens. However, your "
            f"request has {tokens} input tokens. Please reduce the length of the input "
            "messages.",
        )
    wanted = request.max_tokens
    if wanted is not None and tokens + wanted > max_model_len:
        raise ApiError(
            400,
            f"'max_tokens' or 'max_completion_tokens' is too large: {wanted}. This model's "
            f"maximum context length is {max_model_len} tokens and your request has "
            f"{tokens} input tokens ({wanted} > {max_model_len} - {tokens}).",
        )
    return tokens


def _user_parts(messages: Any) -> list[dict[str, Any]]:
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "messages must be a non-empty list.", "messages")
    message = messages[-1]
    if not isinstance(message, dict) or message.get("role") != "user":
        raise ApiError(400, "The last message must come from the user.", "messages")
    content = message.get("content")
    if not isinstance(content, list) or not all(isinstance(p, dict) for p in content):
        raise ApiError(400, "The user message content must be a list of parts.", "messages")
    return content


def _decode_image(image_url: Any) -> Image.Image:
    url = image_url.get("url") if isinstance(image_url, dict) else None
    match = _DATA_URL.fullmatch(url) if isinstance(url, str) else None
    if match is None:
        raise ApiError(400, "image_url.url must be a data:image/...;base64 URL.", "messages")
    try:
        data = base64.b64decode(match["b64"], validate=True)
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return image.convert("RGB")
    except (binascii.Error, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ApiError(400, f"Failed to load the image: {exc}", "messages") from exc


def prompt_tokens(body: dict[str, Any], prompt: str, image: Image.Image) -> int:
    """Image tokens after the processor's resize to [min_pixels, max_pixels] (roughly),
    plus the prompt and the chat template."""
    kwargs = body.get("mm_processor_kwargs")
    kwargs = kwargs if isinstance(kwargs, dict) else {}
    low, high = kwargs.get("min_pixels"), kwargs.get("max_pixels")
    low = low if isinstance(low, int) else MIN_PIXELS
    high = high if isinstance(high, int) else MAX_PIXELS
    pixels = min(max(image.width * image.height, low), high)
    return (
        max(1, round(pixels / _PIXELS_PER_TOKEN))
        + len(FAKE_TOKEN.findall(prompt))
        + _TEMPLATE_TOKENS
    )


def generated(text: str, body: dict[str, Any], max_tokens: int | None) -> tuple[str, int, str]:
    """The answer as vLLM returns it: special tokens removed unless asked to keep them, cut
    at max_tokens. Returns (text, completion tokens, finish_reason)."""
    if body.get("skip_special_tokens", True):
        text = SPECIAL_TOKEN.sub("", text)
    tokens = list(FAKE_TOKEN.finditer(text))
    if max_tokens is not None and len(tokens) > max_tokens:
        return text[: tokens[max_tokens - 1].end()], max_tokens, "length"
    return text, len(tokens), "stop"


def completion(
    model: str, text: str, finish: str, prompt_count: int, completion_count: int
) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": text,
                    "reasoning_content": None,
                    "tool_calls": [],
                },
                "logprobs": None,
                "finish_reason": finish,
                "stop_reason": None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_count,
            "completion_tokens": completion_count,
            "total_tokens": prompt_count + completion_count,
            "prompt_tokens_details": None,
        },
        "prompt_logprobs": None,
    }


def model_cards(names: list[str], max_model_len: int) -> list[dict[str, Any]]:
    """GET /v1/models' data, as vLLM lists its served names."""
    created = int(time.time())
    return [
        {
            "id": name,
            "object": "model",
            "created": created,
            "owned_by": "vllm",
            "root": name,
            "parent": None,
            "max_model_len": max_model_len,
            "permission": [
                {
                    "id": f"modelperm-{uuid.uuid4().hex}",
                    "object": "model_permission",
                    "created": created,
                    "allow_create_engine": False,
                    "allow_sampling": True,
                    "allow_logprobs": True,
                    "allow_search_indices": False,
                    "allow_view": True,
                    "allow_fine_tuning": False,
                    "organization": "*",
                    "group": None,
                    "is_blocking": False,
                }
            ],
        }
        for name in names
    ]
