"""What is wrong with a bundle, said so that a county GIS officer can find and fix it.

A bundle is refused whole with *every* problem listed (file, feature or row, field, reason),
so the importer collects problems instead of stopping at the first one.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One mistake: `where` is e.g. "feature 12 (code 330922100001)" or "row 7"."""

    file: str
    where: str
    field: str
    reason: str

    def __str__(self) -> str:
        parts = [self.file or "bundle"]
        if self.where:
            parts.append(self.where)
        if self.field:
            parts.append(self.field)
        return ": ".join(parts) + f": {self.reason}"


@dataclass
class Report:
    """Problems refuse the bundle; warnings are printed and the bundle still loads."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def problem(self, file: str, where: str, field: str, reason: str) -> None:
        self.problems.append(Problem(file, where, field, reason))

    def warning(self, file: str, where: str, field: str, reason: str) -> None:
        self.warnings.append(Problem(file, where, field, reason))

    def __bool__(self) -> bool:
        return bool(self.problems)


class BundleRejected(Exception):
    """The bundle was refused; nothing was written."""

    def __init__(self, report: Report):
        self.report = report
        lines = [str(p) for p in report.problems]
        super().__init__(f"bundle refused, {len(lines)} problem(s):\n" + "\n".join(lines))


def feature_label(index: int, code: object = None) -> str:
    """Features are numbered from 1 as GIS tools show them."""
    if code is None or code == "":
        return f"feature {index + 1}"
    return f"feature {index + 1} (code {code})"


def row_label(index: int) -> str:
    """Table rows are numbered as a spreadsheet shows them: the header is row 1."""
    return f"row {index + 2}"
