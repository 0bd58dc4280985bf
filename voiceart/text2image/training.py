"""What DAMSM and DM-GAN training share: progress with ETA, loss logs, stopping cleanly,
random-state capture, mixed precision, sample grids, and running as one of several processes."""
from __future__ import annotations

import csv
import math
import os
import signal
import sys
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm import tqdm

from voiceart.errors import VoiceartError


class Progress:
    """Step, percentage, speed, elapsed and remaining time and the latest losses, as tqdm writes them.

    On a terminal a tqdm bar redraws in place; elsewhere (logs, tests) the same line is printed every
    ``every`` steps, so a log keeps the history (a bar would fill it with carriage returns).
    """

    def __init__(self, start: int, total: int, every: int = 10, stream=None, label: str = ""):
        self.start, self.total, self.every, self.label = start, total, max(1, every), label.strip()
        self.stream = stream or sys.stdout
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.t0 = time.perf_counter()
        self.last_line = ""
        self.bar: tqdm | None = None  # made at the first step, so that lines printed before it stay whole

    def line(self, step: int, values: dict[str, float]) -> str:
        return tqdm.format_meter(step, self.total, time.perf_counter() - self.t0, prefix=self.label, ascii=True,
                                 postfix=_losses(values), initial=self.start)

    def update(self, step: int, values: dict[str, float]) -> None:
        self.last_line = self.line(step, values)
        if self.tty and self.bar is None:
            self.bar = tqdm(total=self.total, initial=self.start, file=self.stream, desc=self.label, ascii=True,
                            dynamic_ncols=True)
        if self.bar is not None:
            self.bar.set_postfix_str(_losses(values), refresh=False)
            self.bar.update(step - self.bar.n)
        elif (step - self.start) % self.every == 0 or step == self.total:
            print(self.last_line, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _losses(values: dict[str, float]) -> str:
    return " ".join(f"{k} {v:.3f}" for k, v in values.items())


class LossLog:
    """A CSV of losses per step (appended across resumed runs; a resumed run drops rows past its step)."""

    def __init__(self, path: Path, resume_step: int):
        self.path = Path(path)
        self.fields: list[str] | None = None
        if self.path.is_file() and resume_step >= 0:
            with open(self.path, newline="") as f:
                rows = list(csv.DictReader(f))
            rows = [r for r in rows if int(r["step"]) <= resume_step]
            if rows:
                self.fields = list(rows[0].keys())
            with open(self.path, "w", newline="") as f:
                if self.fields:
                    writer = csv.DictWriter(f, self.fields)
                    writer.writeheader()
                    writer.writerows(rows)

    def write(self, row: dict) -> None:
        if self.fields is None:
            self.fields = list(row.keys())
            with open(self.path, "w", newline="") as f:
                csv.DictWriter(f, self.fields).writeheader()
        with open(self.path, "a", newline="") as f:
            csv.DictWriter(f, self.fields, extrasaction="ignore").writerow(
                {k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()})


class StopFlag:
    """Ctrl-C (or SIGTERM) asks training to stop after the current step and save; a second one stops at once."""

    def __init__(self):
        self.requested = False
        self._old = {}

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("\nStopping after this step; the checkpoint will hold everything needed to go on "
              "(press Ctrl-C again to stop at once and lose this step).", file=sys.stderr, flush=True)

    def __enter__(self):
        import threading

        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc):
        for sig, old in self._old.items():
            signal.signal(sig, old)
        return False


def rng_state(noise: torch.Generator) -> dict:
    state = {"torch": torch.get_rng_state(), "noise": noise.get_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict, noise: torch.Generator) -> None:
    torch.set_rng_state(state["torch"])
    noise.set_state(state["noise"])
    if "cuda" in state and torch.cuda.is_available():
        try:
            torch.cuda.set_rng_state_all(state["cuda"])
        except (RuntimeError, IndexError):  # another number of GPUs than when saved
            pass


class Precision:
    """Mixed precision on CUDA (bfloat16 where supported, else float16 with loss scaling); float32 on CPU."""

    def __init__(self, device: torch.device, enabled: bool = True):
        self.device = device
        self.enabled = enabled and device.type == "cuda"
        self.dtype = None
        if self.enabled:
            self.dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.enabled and self.dtype == torch.float16)

    def autocast(self):
        return torch.autocast("cuda", dtype=self.dtype) if self.enabled else nullcontext()

    def describe(self) -> str:
        return f"mixed precision ({str(self.dtype).replace('torch.', '')})" if self.enabled else "float32"


def load_training_state(path: Path) -> dict:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise VoiceartError(f"The training checkpoint {path} cannot be read ({type(exc).__name__}); "
                            f"delete it to start afresh, or use another --out folder.") from None


def resume_state(path: Path, kind: str, what: str, fresh: bool, stream=None) -> dict | None:
    """The saved state of an interrupted run to go on from, or None for a fresh run."""
    if fresh or not path.is_file():
        return None
    state = load_training_state(path)
    if state.get("kind") != kind:
        raise VoiceartError(f"{path} is not a {what} training state.")
    print(f"Going on from step {state['step']} of the run saved in {path.parent} (its sizes, seed and data order).",
          file=stream, flush=True)
    return state


def optimizer_to(optimizer: torch.optim.Optimizer, device: torch.device) -> None:
    for state in optimizer.state.values():
        for k, v in state.items():
            if isinstance(v, torch.Tensor) and k != "step":
                state[k] = v.to(device)


def save_grid(images: torch.Tensor, path: Path, nrow: int, metadata: dict[str, str]) -> None:
    """A grid of B x 3 x H x W images in [-1, 1], as a PNG with text metadata."""
    from torchvision.utils import make_grid

    from voiceart.images import save_png
    from voiceart.text2image.sample import to_pil

    grid = make_grid(images.detach().float().cpu(), nrow=nrow, padding=2, pad_value=1.0)
    save_png(to_pil(grid[None])[0], path, metadata)


@contextmanager
def eval_mode(*modules):
    was = [m.training for m in modules]
    for m in modules:
        m.eval()
    try:
        yield
    finally:
        for m, w in zip(modules, was):
            m.train(w)


def resolve_steps(steps: int | None, epochs: float | None, per_epoch: int, default_epochs: float) -> int:
    if steps is not None:
        if steps < 1:
            raise VoiceartError("--steps must be at least 1.")
        return steps
    epochs = default_epochs if epochs is None else epochs
    return max(1, int(math.ceil(epochs * per_epoch)))


@dataclass(frozen=True)
class Cluster:
    """This process's place among those ``torchrun`` started; a process alone is rank 0 of 1.

    Each step's batch is shared out (rank r takes every world-th picture of it), so a run gives the
    same data order, the same checkpoints and the same resumption on any number of processes; the
    gradients are averaged by DistributedDataParallel. Only rank 0 writes files and prints."""

    rank: int = 0
    world: int = 1

    @property
    def main(self) -> bool:
        return self.rank == 0

    def wrap(self, module: torch.nn.Module, device: torch.device) -> torch.nn.Module:
        if self.world == 1:
            return module
        from torch.nn.parallel import DistributedDataParallel

        return DistributedDataParallel(module, device_ids=[device.index] if device.type == "cuda" else None)

    def share(self, batch_size: int) -> int:
        """The pictures of a batch this process takes."""
        if batch_size % self.world or batch_size // self.world < 2:
            raise VoiceartError(f"A batch of {batch_size} cannot be shared out among {self.world} processes: use a "
                                f"--batch-size that is a multiple of {self.world}, at least {2 * self.world}.")
        return batch_size // self.world

    def describe(self) -> str:
        return f" shared by {self.world} processes" if self.world > 1 else ""

    def mine(self, batch: torch.Tensor) -> torch.Tensor:
        return batch[self.rank::self.world]

    def any(self, flag: bool) -> bool:
        """True on every process when it is true on one (a stop asked for anywhere stops all at the same step)."""
        if self.world == 1:
            return flag
        import torch.distributed as dist

        t = torch.tensor([int(flag)])
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return bool(t.item())

    def stream(self, stream):
        """Where this process prints: ``stream`` on rank 0, nowhere on the others."""
        return stream if self.main else open(os.devnull, "w")


def join_cluster(device: torch.device) -> tuple[Cluster, torch.device]:
    """Under torchrun (WORLD_SIZE > 1): join the process group (gloo on the CPU, nccl on GPUs; one GPU
    a process, by LOCAL_RANK) and say where this process stands; otherwise a process alone."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return Cluster(), device
    import torch.distributed as dist

    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
        # Left to interpreter shutdown, a gloo group can abort the process after its work is done
        # ("terminate called without an active exception"): the group is closed first.
        import atexit

        atexit.register(lambda: dist.is_initialized() and dist.destroy_process_group())
    return Cluster(dist.get_rank(), dist.get_world_size()), device
