"""cProfile for a bench's step and every thread it starts, each timed in its own thread's CPU seconds."""
from __future__ import annotations

import cProfile
import threading
import time


def profiled(profiles: list):
    """Start a cProfile (CPU time of its thread) for the calling thread and for every thread started
    until the returned `stop()` is called."""
    thread_run = threading.Thread.run

    def profiled_run(thread):
        profiler = cProfile.Profile(time.thread_time)
        profiler.enable()
        try:
            thread_run(thread)
        finally:
            profiler.disable()
            profiles.append(profiler)

    threading.Thread.run = profiled_run
    main = cProfile.Profile(time.thread_time)
    main.enable()

    def stop():
        main.disable()
        threading.Thread.run = thread_run
        profiles.append(main)

    return stop
