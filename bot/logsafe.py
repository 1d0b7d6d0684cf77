"""Masked logs and output for a whole process.

    python -m bot.logsafe <module> [args…]      e.g. python -m bot.logsafe rasa run --model …

runs `<module>` as `python -m <module> [args…]` would, after `install_process_masking()`. A server
that starts in Python calls `install_process_masking()` first thing instead (bot/action_server.py,
bot/console). From then on every phone and ID number (bot.text.mask.mask_text, every spelling) is
masked in what the process writes:

- log records are masked when they are made (a LogRecordFactory: message, arguments, exception
  text, stack), so whatever handlers, formatters and levels are configured later (Rasa's
  configure_logging_and_warnings, structlog, coloredlogs, Sanic's dictConfig) get masked records;
- a MaskingFilter on the root logger, on the loggers rasa, rasa_sdk, sanic.root, sanic.error and
  sanic.access and on every handler that exists: it masks `extra=` fields too (Sanic's and
  aiohttp's access lines carry the request line there);
- sys.stdout and sys.stderr are wrapped (MaskingStream): print(), tracebacks, warnings and every
  handler writing to them. A partial line waits for its newline (or a flush), so a number written
  in pieces is masked whole. Handlers created earlier on the real streams are pointed at the
  wrappers;
- warnings.formatwarning and warnings.showwarning mask the warning text (Rasa wraps formatwarning
  for its own warnings and calls ours);
- worker processes forked later (Sanic's workers, multiprocessing on Linux) inherit all of it; a
  pending partial line is written before the fork so no child repeats it.

Not covered: bytes written to sys.stdout.buffer or to file descriptors 1 and 2 directly, and
processes started with exec (subprocess, multiprocessing "spawn"), unless they start through here.
"""

from __future__ import annotations

import atexit
import logging
import os
import runpy
import sys
import threading
import warnings
from typing import Any, Iterable, List, Optional, TextIO

from bot.text.mask import add_masking_filter, mask_record, mask_text, may_be_in_number

FILTERED_LOGGERS = ("", "rasa", "rasa_sdk", "sanic.root", "sanic.error", "sanic.access")
LINE_LIMIT = 8192  # a line longer than this is written in parts, cut between two numbers
USAGE = "usage: python -m bot.logsafe <module> [args…]   (runs the module with masked logs and output)"


class MaskingStream:
    """A text stream that masks everything written to it, a whole line at a time."""

    masks_output = True

    def __init__(self, stream: TextIO):
        self.stream = stream
        self._pending = ""
        self._lock = threading.RLock()

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        with self._lock:
            pending = self._pending + text
            cut = pending.rfind("\n") + 1
            if not cut and len(pending) > LINE_LIMIT:
                cut = _cut_point(pending)
            if cut:
                self.stream.write(mask_text(pending[:cut]))
            self._pending = pending[cut:]
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                pending, self._pending = self._pending, ""
                self.stream.write(mask_text(pending))
            self.stream.flush()

    def close(self) -> None:
        self.flush()
        self.stream.close()

    def reset_lock(self) -> None:
        """In a forked child: a lock another thread of the parent held stays held there."""
        self._lock = threading.RLock()

    def __getattr__(self, name: str) -> Any:  # encoding, errors, fileno, isatty, buffer, closed …
        return getattr(self.stream, name)


def _cut_point(text: str) -> int:
    """Where a long unfinished line may be cut without splitting a number: after the last
    character that cannot be part of one (0 when there is none: it waits, up to 8 × LINE_LIMIT)."""
    for index in range(len(text) - 1, 0, -1):
        if not may_be_in_number(text[index - 1]):
            return index
    return len(text) if len(text) > 8 * LINE_LIMIT else 0


_streams: List[MaskingStream] = []


def _wrap(name: str) -> None:
    stream = getattr(sys, name)
    if stream is None or getattr(stream, "masks_output", False):
        return
    wrapper = MaskingStream(stream)
    setattr(sys, name, wrapper)
    _streams.append(wrapper)


def _flush_streams() -> None:
    for stream in _streams:
        try:
            stream.flush()
        except (OSError, ValueError):  # closed at exit
            pass


def _reset_locks() -> None:
    for stream in _streams:
        stream.reset_lock()


def _install_record_factory() -> None:
    previous = logging.getLogRecordFactory()
    if getattr(previous, "masks_records", False):
        return

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(previous(*args, **kwargs))

    make_record.masks_records = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)


def install_logging_filters() -> None:
    """The filter on the named loggers and on every handler of every logger there is now; handlers
    on the real stdout/stderr are moved to the masking wrappers."""
    originals = {id(stream.stream): stream for stream in _streams}
    loggers = [logging.getLogger(name) for name in FILTERED_LOGGERS]
    loggers += [
        logger for logger in list(logging.Logger.manager.loggerDict.values()) if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        if logger.name in FILTERED_LOGGERS or logger is logging.getLogger():
            add_masking_filter(logger)
        for handler in logger.handlers:
            add_masking_filter(handler)
            stream = getattr(handler, "stream", None)
            if isinstance(handler, logging.StreamHandler) and id(stream) in originals:
                handler.setStream(originals[id(stream)])


def _install_warnings() -> None:
    format_warning, show_warning = warnings.formatwarning, warnings.showwarning
    if getattr(format_warning, "masks_warnings", False):
        return

    def formatwarning(message: Any, category: Any, filename: str, lineno: int, line: Optional[str] = None) -> str:
        return mask_text(format_warning(message, category, filename, lineno, line))

    def showwarning(
        message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Optional[str] = None
    ) -> None:
        masked = mask_text(str(message))
        show_warning(message if masked == str(message) else masked, category, filename, lineno, file, line)

    formatwarning.masks_warnings = True  # type: ignore[attr-defined]
    warnings.formatwarning, warnings.showwarning = formatwarning, showwarning


_installed = False


def install_process_masking() -> None:
    """Mask phones and ID numbers in every log record, warning and write to stdout/stderr of this
    process and of the processes it forks from now on. Calling it again does nothing."""
    global _installed
    if _installed:
        return
    _installed = True
    _wrap("stdout")
    _wrap("stderr")
    _install_record_factory()
    install_logging_filters()
    _install_warnings()
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_flush_streams, after_in_child=_reset_locks)
    atexit.register(_flush_streams)


def main(argv: Optional[List[str]] = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0].startswith("-"):  # -h, --help, or an option this launcher does not take
        print(USAGE, file=sys.stderr)
        raise SystemExit(2)
    install_process_masking()
    module, *args = argv
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    from bot import logsafe  # the one copy of this module's state, whoever imports it later

    logsafe.main()
