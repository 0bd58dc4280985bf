"""Voice activity detection: the probability that a 32 ms frame of 16 kHz audio holds speech.

Why silero-vad and not webrtcvad:

- Offline and already paid for: the silero-vad PyPI package ships its model inside (TorchScript
  and ONNX), and it runs on torch, which voiceart needs anyway; no onnxruntime, no download.
  webrtcvad's last release (2017) is a source package that needs a C compiler; only a fork
  ships wheels.
- Better decisions for this use: silero-vad is a small neural network trained on speech and
  noise in many languages, and gives a probability rather than a yes or no. It lets breathing,
  keyboard clicks, music and fan noise pass far more often than webrtcvad's Gaussian model
  does, and the probability lets the end-pointer use hysteresis (start at 0.5, keep going down
  to 0.35), so a soft word in the middle of a sentence does not split it.
- Cheap enough: about 0.2 ms per 32 ms frame on one CPU thread here (over 100 times real time),
  so it costs nothing beside Whisper.

The model keeps a state across frames (it is recurrent); ``reset()`` clears it after a gap.
"""
from __future__ import annotations

import threading
import warnings

import numpy as np

from voiceart.errors import VoiceartError
from voiceart.speech.microphone import FRAME, RATE

_LOCK = threading.Lock()


class VADError(VoiceartError):
    """silero-vad is missing or its model does not load."""


def _load_model():
    try:
        import torch
    except ImportError:
        raise VADError("Voice activity detection needs torch: install voiceart's requirements (./start.sh does).") from None
    threads = torch.get_num_threads()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.jit.load's deprecation notice
            from silero_vad import load_silero_vad  # importing it sets torch to one thread ...

            model = load_silero_vad(onnx=False)
    except ImportError:
        raise VADError("Voice activity detection needs the silero-vad package: install it with pip install silero-vad.") from None
    except Exception as exc:
        raise VADError(f"The silero-vad model would not load ({exc}); reinstall it with pip install --force-reinstall silero-vad.") from None
    finally:
        torch.set_num_threads(threads)  # ... which would slow every other model in the process
    model.eval()
    return model


class SileroVAD:
    """``probability(frame)``: speech probability of ``FRAME`` float32 samples at 16 kHz.

    Calls are cheap (about 0.2 ms) and serialised; each runs on one torch thread.
    """

    frame = FRAME
    rate = RATE

    def __init__(self):
        self._model = _load_model()

    def reset(self) -> None:
        self._model.reset_states()

    def probability(self, frame: np.ndarray) -> float:
        import torch

        if len(frame) != FRAME:
            raise ValueError(f"silero-vad takes frames of {FRAME} samples at {RATE} Hz, not {len(frame)}")
        x = torch.from_numpy(np.ascontiguousarray(frame, dtype=np.float32))
        with _LOCK, torch.inference_mode():
            # One thread: a 32 ms frame is far too small to share, and waking a second OpenMP
            # thread on a busy 2-core machine stalls a call for up to 0.15 s. torch's thread count is
            # per calling thread (OpenMP and MKL's local setting), so others are not touched.
            threads = torch.get_num_threads()
            if threads != 1:
                torch.set_num_threads(1)
            try:
                return float(self._model(x, RATE).item())
            finally:
                if threads != 1:
                    torch.set_num_threads(threads)

    __call__ = probability

    def probabilities(self, audio: np.ndarray) -> np.ndarray:
        """One probability per whole frame of ``audio`` (the state is reset first)."""
        self.reset()
        n = len(audio) // FRAME
        return np.array([self.probability(audio[i * FRAME:(i + 1) * FRAME]) for i in range(n)], dtype=np.float32)
