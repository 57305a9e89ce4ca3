"""Giving freed memory back to the system after a big one-off job (a pull of many
items, a burst of big writes).

glibc's allocator keeps what a thread freed in that thread's arena, so the memory a
one-off read needed would stay in the process's RSS; ``malloc_trim`` hands the free
pages back. Elsewhere (musl, macOS) ``release_memory`` does nothing.
"""

import asyncio

_malloc_trim = []  # [function or None], looked up on first use


def release_memory():
    """Hand the allocator's free pages back to the system (takes milliseconds)."""
    if not _malloc_trim:
        import ctypes

        try:
            trim = ctypes.CDLL(None).malloc_trim
            trim.argtypes = [ctypes.c_size_t]
            trim.restype = ctypes.c_int
        except (OSError, AttributeError):
            trim = None
        _malloc_trim.append(trim)
    if _malloc_trim[0] is not None:
        _malloc_trim[0](0)


def release_memory_soon():
    """``release_memory`` in a thread, from the event loop, without waiting for it."""
    asyncio.get_running_loop().run_in_executor(None, release_memory)
