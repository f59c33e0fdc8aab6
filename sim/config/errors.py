"""The one exception for bad scenario input: :class:`ScenarioError`.

Loading (:mod:`sim.config.loading`) and the checks against the landscape and the rule registry
(:mod:`sim.model.checks`) both raise it, so it lives here, below both. The command line prints
it as the whole message (no traceback) and exits with status 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable


class ScenarioError(Exception):
    """Bad scenario input: one or more problems, each tied to a file.

    ``problems`` is a list of ``(file, text)``; ``str(error)`` groups them by file, one per line.
    """

    def __init__(self, file: str | Path | None, *problems: str) -> None:
        self.problems: list[tuple[str, str]] = [(str(file) if file is not None else "", p)
                                                for p in problems]
        super().__init__(self._format())

    @classmethod
    def from_problems(cls, problems: Iterable[tuple[str, str]]) -> "ScenarioError":
        """One error holding the given ``(file, text)`` problems, in order."""
        out = cls(None)
        out.problems = list(problems)
        out.args = (out._format(),)
        return out

    @classmethod
    def combine(cls, errors: Iterable["ScenarioError"]) -> "ScenarioError":
        """One error holding every problem of ``errors``, in order."""
        return cls.from_problems(p for e in errors for p in e.problems)

    def _format(self) -> str:
        by_file: dict[str, list[str]] = {}
        for file, text in self.problems:
            by_file.setdefault(file, []).append(text)
        blocks = []
        for file, texts in by_file.items():
            head = f"{file}: " if file else ""
            if len(texts) == 1:
                blocks.append(f"{head}{texts[0]}")
            else:
                blocks.append(f"{head}{len(texts)} problems\n" + "\n".join(f"  - {t}" for t in texts))
        return "\n".join(blocks)

    def __str__(self) -> str:
        return self._format()


__all__ = ["ScenarioError"]
