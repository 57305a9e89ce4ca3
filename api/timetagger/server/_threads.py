"""The thread pool for blocking work that must not hold up the event loop: SQLite
reads and writes too big to run on it (``_store``), and parsing big request bodies
and encoding and compressing big answers (``_apiserver``). One pool for both, so that
the threads competing with the event loop for the CPU stay few."""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

THREADS = 4

_executor = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="timetagger-db")


async def in_thread(func: Callable[..., Any], *args: Any) -> Any:
    """Run ``func(*args)`` in the pool and return its result."""
    return await asyncio.get_running_loop().run_in_executor(_executor, func, *args)
