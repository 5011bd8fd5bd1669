"""Tesseract languages a caller may ask for: only the models installed in the tessdata
folder, by their plain names. Anything else ('../../eng', a missing model) is the caller's
mistake (422), never a path Tesseract would follow nor a load failure (500)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import overload

from docparse.errors import InvalidOptions

SUFFIX = ".traineddata"
NOT_A_LANGUAGE = {"osd", "equ"}  # orientation/script detection and equations: no text model
MAX_LANGUAGES = 6  # per request: each one is another model in every worker thread
_NAME = re.compile(r"[A-Za-z0-9_]+")


def installed_languages(tessdata_dir: str | Path) -> list[str]:
    """The language models in the folder (not the subfolders), sorted."""
    try:
        names = [p.name[: -len(SUFFIX)] for p in Path(tessdata_dir).iterdir()]
    except OSError:
        return []
    return sorted(
        n
        for n in names
        if n
        and _NAME.fullmatch(n)
        and n not in NOT_A_LANGUAGE
        and Path(tessdata_dir, n + SUFFIX).is_file()
    )


@overload
def validate_languages(value: str, tessdata_dir: str | Path) -> str: ...
@overload
def validate_languages(value: None, tessdata_dir: str | Path) -> None: ...
def validate_languages(value: str | None, tessdata_dir: str | Path) -> str | None:
    """'rus+eng' (also 'rus,eng', spaces, repeats): the normalised 'rus+eng', or
    InvalidOptions naming the installed languages. None (the default set) stays None."""
    if value is None:
        return None
    return check_languages(value, installed_languages(tessdata_dir))


def check_languages(value: str, installed: list[str]) -> str:
    """`validate_languages` against a list already read from the folder."""
    parts = list(dict.fromkeys(p.strip() for p in value.replace(",", "+").split("+")))
    parts = [p for p in parts if p]
    unknown = [p for p in parts if p not in installed]
    if not parts or unknown:
        shown = ", ".join(repr(p[:32]) for p in unknown[:3]) or repr(value[:32])
        choices = ", ".join(installed) if installed else "none are installed"
        raise InvalidOptions(
            f"unknown language {shown}; languages are joined by '+' from: {choices}",
            valid=installed,
        )
    if len(parts) > MAX_LANGUAGES:
        raise InvalidOptions(f"at most {MAX_LANGUAGES} languages at once, got {len(parts)}")
    return "+".join(parts)
