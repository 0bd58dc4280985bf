"""One background thread that runs the session's jobs in order, off the Tk thread.

Models are slow and two of them at once on two cores slow each other several times, so jobs
never overlap: the thread takes them one by one and hands each answer to ``deliver`` (an event
for the session). ``prepare`` runs first, before any job (it loads the models). A job that raises
is answered by ``fail(job, exception)`` instead, so the thread never dies and every job is answered.
"""
from __future__ import annotations

import logging
import queue
import threading
from typing import Callable

from voiceart.errors import logged

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, run: Callable, deliver: Callable, prepare: Callable[[], object] | None = None,
                 fail: Callable[[object, Exception], object] | None = None):
        self._run = run
        self._deliver = deliver
        self._prepare = prepare
        self._fail = fail
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
            try:
                self._prepare()
            except Exception as exc:  # the first job that needs the model says it again, in context
                log.warning(logged(exc, "Loading the models"))
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                answer = self._run(job)
            except Exception as exc:
                if self._fail is None:
                    log.warning(logged(exc))
                    continue
                answer = self._fail(job, exc)
            self._deliver(answer)
