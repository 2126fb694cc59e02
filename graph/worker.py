"""`khub worker`: run processing jobs until SIGTERM or SIGINT.

On the first signal the worker claims nothing more and each running job goes back to the
queue at its next step (no attempt counted), for another worker to take at once.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from persistence.database import Database
from persistence.job.kinds import load_kinds
from persistence.job.worker import Worker
from persistence.settings import Settings


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def configure_worker(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--concurrency", type=_positive, default=1, metavar="N", help="jobs run at once (1)"
    )


async def run_worker(args: argparse.Namespace, settings: Settings) -> int:
    kinds = load_kinds()
    db = await Database.open(settings, as_app=True)
    worker = Worker(db, settings, concurrency=args.concurrency, handlers=kinds)
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop_signal, worker.stop)
    print(
        f"worker {worker.name} runs {args.concurrency} job(s) at once: {', '.join(sorted(kinds))}",
        file=sys.stderr,
        flush=True,
    )
    try:
        await worker.run()
    finally:
        await db.close()
    print(f"worker {worker.name} stopped", file=sys.stderr, flush=True)
    return 0
