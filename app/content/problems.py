"""Problems found in content, reported as ``path:line: field: message``."""

from __future__ import annotations

import re
from collections import defaultdict
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
    # What sort of problem this is ("review overdue"), so a long list can be summarised by kind.
    kind: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == WARNING else ""
        return f"{self.path}:{self.line}: {self.field}: {prefix}{self.message}"


def kind_of(problem: Problem) -> str:
    """The problem's kind; without one, the field it is about (``venues[].postcode``)."""
    return problem.kind or re.sub(r"\[\d+\]", "[]", problem.field)


def by_kind(problems: list[Problem]) -> list[tuple[str, list[Problem]]]:
    """Problems grouped by :func:`kind_of`, the largest group first, each in its given order."""
    groups: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        groups[kind_of(problem)].append(problem)
    return sorted(groups.items(), key=lambda group: (-len(group[1]), group[0]))


class ContentError(Exception):
    """Raised when content with errors is about to be published."""

    def __init__(self, problems: list[Problem]):
        self.problems = [problem for problem in problems if problem.is_error]
        super().__init__(f"{len(self.problems)} error(s) in content")
