"""What the running service holds: settings, engines, converter, start-up progress."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from docparse.pipeline.converter import Converter
from docparse.pipeline.runtime import Engines
from docparse.settings import Settings


@dataclass
class ServiceState:
    settings: Settings
    engines: Engines
    converter: Converter
    started_at: float = field(default_factory=time.time)
    preload_task: asyncio.Task[None] | None = None

    @classmethod
    def build(cls, settings: Settings) -> ServiceState:
        engines = Engines(settings)
        return cls(settings=settings, engines=engines, converter=Converter(settings, engines))
