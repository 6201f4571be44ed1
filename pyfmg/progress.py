"""A one-line progress bar on a text stream, for following FortiManager tasks from a terminal."""

from __future__ import annotations

from typing import TextIO


class ProgressBar:
    """Redraws one line on a terminal; on a pipe or file, writes a line every 10 % instead."""

    def __init__(self, stream: TextIO, label: str, width: int = 30) -> None:
        self._stream = stream
        self._label = label
        self._width = width
        self._interactive = bool(getattr(stream, "isatty", lambda: False)())
        self._last_step = -1
        self._drawn = False

    def update(self, percent: int, detail: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        filled = self._width * percent // 100
        bar = "#" * filled + "." * (self._width - filled)
        line = f"{self._label} [{bar}] {percent:3d}%"
        if detail:
            line += f"  {detail}"
        if self._interactive:
            self._stream.write("\r\x1b[2K" + line)
            self._drawn = True
        else:
            step = percent // 10
            if step == self._last_step:
                return
            self._last_step = step
            self._stream.write(line + "\n")
        self._stream.flush()

    def close(self) -> None:
        if self._interactive and self._drawn:
            self._stream.write("\n")
            self._stream.flush()
        self._drawn = False
