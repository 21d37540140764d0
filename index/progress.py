"""Progress reporting seam: the library reports, the CLI draws (on stderr)."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, label: str, total: int) -> None: ...
    def advance(self, n: int) -> None: ...
    def finish(self) -> None: ...
    def warn(self, message: str) -> None: ...


class NullProgress:
    """Collects warnings, draws nothing (library and test use)."""

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, n: int) -> None:
        pass

    def finish(self) -> None:
        pass

    def warn(self, message: str) -> None:
        self.warnings.append(message)


class RichProgress:
    """A progress bar and warnings on stderr, so stdout stays clean for answers."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)
        self.warnings: list[str] = []
        self._bar = None
        self._task = None

    def start(self, label: str, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeRemainingColumn

        self.finish()
        if total <= 0:
            return
        self._bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=self.console, transient=True)
        self._bar.start()
        self._task = self._bar.add_task(label, total=total)

    def advance(self, n: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        from rich.text import Text

        marker = "" if message.lstrip().startswith("⚠") else "⚠ "
        # Text, not markup: file names and messages may hold "[...]".
        self.console.print(Text(marker + message, style="yellow"), highlight=False)
