"""What the running service holds: settings, engines, converter, start-up progress."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from docparse.export.storage import ResultStore, create_store
from docparse.jobs.service import Jobs
from docparse.pipeline.converter import Converter
from docparse.pipeline.runtime import Engines
from docparse.settings import Settings


@dataclass
class ServiceState:
    settings: Settings
    engines: Engines
    converter: Converter
    store: ResultStore  # where results go: output_dir or S3 (DOCPARSE_STORAGE)
    jobs: Jobs  # the jobs API: store, results, the worker pool (started by the lifespan)
    started_at: float = field(default_factory=time.time)
    preload_task: asyncio.Task[None] | None = None

    @classmethod
    def build(cls, settings: Settings) -> ServiceState:
        engines = Engines(settings)
        converter = Converter(settings, engines)
        store = create_store(settings)
        return cls(
            settings=settings,
            engines=engines,
            converter=converter,
            store=store,
            jobs=Jobs(settings, converter, store),  # job results go to the same store
        )
