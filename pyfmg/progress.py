"""A one-line progress bar on a text stream, for following FortiManager tasks from a terminal."""

from __future__ import annotations

from typing import TextIO


class ProgressBar:
    """Redraws one line in place on a terminal; on a pipe or a file, writes a line per change of
    state (pending, running, done...) and one when the task reaches 100 %, so logs stay short."""

    def __init__(self, stream: TextIO, label: str, width: int = 30) -> None:
        self._stream = stream
        self._label = label
        self._width = width
        self._interactive = bool(getattr(stream, "isatty", lambda: False)())
        self._last_key: tuple[str, bool] | None = None
        self._drawn = False

    def update(self, percent: int, detail: str = "", state: str = "running") -> None:
        percent = max(0, min(100, int(percent)))
        filled = self._width * percent // 100
        bar = "#" * filled + "." * (self._width - filled)
        line = f"{self._label} [{bar}] {percent:3d}% {state}"
        if detail:
            line += f"  {detail}"
        if self._interactive:
            self._stream.write("\r\x1b[2K" + line)
            self._drawn = True
        else:
            key = (state, percent >= 100)
            if key == self._last_key:
                return
            self._last_key = key
            self._stream.write(line + "\n")
        self._stream.flush()

    def close(self) -> None:
        if self._interactive and self._drawn:
            self._stream.write("\n")
            self._stream.flush()
        self._drawn = False
