"""Problems found in content, reported as ``path:line: field: message``."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    field: str
    message: str
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == WARNING else ""
        return f"{self.path}:{self.line}: {self.field}: {prefix}{self.message}"


class ContentError(Exception):
    """Raised when content with errors is about to be published."""

    def __init__(self, problems: list[Problem]):
        self.problems = [problem for problem in problems if problem.is_error]
        super().__init__(f"{len(self.problems)} error(s) in content")
