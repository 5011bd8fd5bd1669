"""`python -m docparse.testing.fake_vlm`: the stand-in server in its own process."""

from __future__ import annotations

import threading

from docparse.testing.fake_vlm.responder import DEFAULT_MODELS
from docparse.testing.fake_vlm.server import FakeVLM


def main(argv: list[str] | None = None) -> int:
    """`python -m docparse.testing.fake_vlm --port P --latency S --capacity N`: a stand-in
    for the GPU server in its own process, for benchmarks and trying the VLM route."""
    import argparse
    import signal

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--capacity", type=int)
    parser.add_argument("--model", action="append", dest="models")
    args = parser.parse_args(argv)
    server = FakeVLM(
        served_models=args.models or DEFAULT_MODELS,
        latency=args.latency,
        capacity=args.capacity,
        port=args.port,
    ).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
