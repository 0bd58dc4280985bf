"""One background thread that runs the session's jobs in order, off the Tk thread.

Models are slow and two of them at once on two cores slow each other several times, so jobs
never overlap: the thread takes them one by one and hands each answer to ``deliver`` (an event
for the session). ``prepare`` runs first, before any job (it loads the models).
"""
from __future__ import annotations

import queue
import threading
from typing import Callable


class Worker:
    def __init__(self, run: Callable, deliver: Callable, prepare: Callable[[], object] | None = None):
        self._run = run
        self._deliver = deliver
        self._prepare = prepare
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="voiceart-worker", daemon=True)
        self._thread.start()

    def submit(self, job) -> None:
        self._queue.put(job)

    def close(self, timeout: float = 5.0) -> None:
        """Stop after the job in hand (jobs still waiting are dropped)."""
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass
        self._queue.put(None)
        self._thread.join(timeout)

    def _loop(self) -> None:
        if self._prepare is not None:
            self._prepare()
        while True:
            job = self._queue.get()
            if job is None:
                return
            self._deliver(self._run(job))
