"""Scale-out on Dramatiq over Redis (DOCPARSE_QUEUE=redis://…): the API puts a job's id
on the queue, `docparse worker` processes anywhere take it (jobs/worker.py).

Why Dramatiq: a message is acknowledged only after the job's run returns (late ack), and
a worker that dies (kill -9, a lost machine) stops sending heartbeats, so after
DOCPARSE_QUEUE_HEARTBEAT its unacknowledged messages go back to the queue and another
worker takes the job — with no visibility timeout to tune against the longest document
(Celery on Redis redelivers a message still running once its visibility timeout passes,
RQ moves a dead worker's job to the failed registry). The job records live beside the
queue in the same Redis (jobs/redis_store.py); the message carries only the job id, and
the record decides: a duplicate delivery finds the job held or finished and does nothing.
"""

from __future__ import annotations

import asyncio

from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker

from docparse.settings import Settings

QUEUE_NAME = "docparse-jobs"
ACTOR_NAME = "convert_job"
NAMESPACE = "docparse-queue"
# Commands, out of a million, that also look for dead workers' messages: 5% (Dramatiq's
# 0.1% default lets a dead worker's job wait many minutes on a quiet queue).
MAINTENANCE_CHANCE = 50_000


def make_broker(settings: Settings) -> RedisBroker:
    broker = RedisBroker(  # type: ignore[no-untyped-call]
        url=settings.queue,
        namespace=NAMESPACE,
        heartbeat_timeout=int(settings.queue_heartbeat * 1000),
        maintenance_chance=MAINTENANCE_CHANCE,
    )
    broker.declare_queue(QUEUE_NAME)
    return broker


def job_message(job_id: str) -> Message[None]:
    return Message(
        queue_name=QUEUE_NAME, actor_name=ACTOR_NAME, args=(job_id,), kwargs={}, options={}
    )


class Dispatch:
    """The API's side of the queue: a stored job's id sent to the workers."""

    def __init__(self, settings: Settings) -> None:
        self.broker = make_broker(settings)

    async def send(self, job_id: str, delay: float = 0.0) -> None:
        milliseconds = int(delay * 1000) or None
        await asyncio.to_thread(self.broker.enqueue, job_message(job_id), delay=milliseconds)

    def close(self) -> None:
        self.broker.close()
