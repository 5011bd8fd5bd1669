"""Documents fetched from URLs."""

from __future__ import annotations

import httpx

from docparse.errors import InvalidOptions, LimitExceeded


async def fetch(url: str, max_bytes: int) -> bytes:
    async with httpx.AsyncClient(follow_redirects=True, timeout=60) as client:
        try:
            async with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise InvalidOptions(f"could not fetch {url}: HTTP {response.status_code}")
                data = bytearray()
                async for chunk in response.aiter_bytes():
                    data += chunk
                    if len(data) > max_bytes:
                        raise LimitExceeded(
                            f"{url} is over the upload limit of {max_bytes:,} bytes",
                            limit="max_upload_bytes",
                        )
                return bytes(data)
        except httpx.HTTPError as exc:
            raise InvalidOptions(f"could not fetch {url}: {exc}") from exc
