"""What an import did, and what it could not do, as a summary an editor can act on."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

CREATED, UPDATED, UNCHANGED, SKIPPED, REVIEW = "created", "updated", "unchanged", "skipped", "review"
ACTIONS = (CREATED, UPDATED, UNCHANGED, SKIPPED, REVIEW)


@dataclass
class Outcome:
    """What happened to one entry."""

    kind: str          # "services" or "organisations"
    id: str
    name: str
    action: str        # one of ACTIONS
    path: str          # relative to the target folder
    reasons: list[str] = field(default_factory=list)  # why it was skipped or needs review


@dataclass
class ImportReport:
    """Everything an import run reports; ``lines()`` is the printed summary."""

    source: str
    into: str
    outcomes: list[Outcome] = field(default_factory=list)
    # taxonomy name -> term -> number of services carrying it
    unmapped: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    # "field: what happened" -> names of the entries it happened to
    missing: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    ignored_fields: Counter = field(default_factory=Counter)
    bad_rows: list[str] = field(default_factory=list)  # "FILE:ROW: column: message"
    rows_not_imported: int = 0
    notes: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    check_errors: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        """Record what happened to one entry."""
        self.outcomes.append(outcome)

    def unmapped_term(self, taxonomy: str, term: str) -> None:
        """Count a taxonomy term (or language) of the source that matched nothing of ours."""
        self.unmapped[taxonomy or "(no taxonomy)"][term] += 1

    def missed(self, what: str, entry_name: str) -> None:
        """Record that ``what`` (e.g. "last_reviewed: not in the feed, set to today") befell an entry."""
        if entry_name not in self.missing[what]:
            self.missing[what].append(entry_name)

    def count(self, kind: str, action: str) -> int:
        """How many ``kind`` entries ("services", "organisations") had ``action``."""
        return sum(1 for outcome in self.outcomes if outcome.kind == kind and outcome.action == action)

    @property
    def needs_review(self) -> list[Outcome]:
        """Services written to import-review/ for an editor to finish."""
        return [outcome for outcome in self.outcomes if outcome.action == REVIEW]

    @property
    def skipped(self) -> list[Outcome]:
        """Entries left alone because an editor changed, moved or deleted them."""
        return [outcome for outcome in self.outcomes if outcome.action == SKIPPED]

    def _counts(self, kind: str) -> str:
        labels = {CREATED: "created", UPDATED: "updated", UNCHANGED: "unchanged",
                  SKIPPED: "skipped (changed by an editor)", REVIEW: "need review"}
        if kind == "organisations":
            labels.pop(REVIEW)
        return ", ".join(f"{self.count(kind, action)} {label}" for action, label in labels.items())

    def lines(self) -> list[str]:
        """The summary, one printed line per item."""
        services = sum(1 for outcome in self.outcomes if outcome.kind == "services")
        organisations = sum(1 for outcome in self.outcomes if outcome.kind == "organisations")
        lines = [f"Imported from {self.source} into {self.into}:",
                 f"  services ({services}): {self._counts('services')}",
                 f"  organisations ({organisations}): {self._counts('organisations')}"]
        if self.bad_rows:
            lines.append(f"  rows not imported: {self.rows_not_imported or len(self.bad_rows)} (below)")
        for note in self.notes:
            lines.append(f"  note: {note}")

        if self.bad_rows:
            lines += ["", "Rows with problems (not imported; fix them and import again):"]
            lines += [f"  {row}" for row in self.bad_rows]

        if self.needs_review:
            lines += ["", "Need review: written to import-review/, which `earlyhelp check` and publishing "
                          "ignore. Finish each one, then move it into services/:"]
            for outcome in self.needs_review:
                lines.append(f"  {outcome.path} ({outcome.name})")
                lines += [f"    {reason}" for reason in outcome.reasons]

        if self.skipped:
            lines += ["", "Not overwritten: changed by an editor since the last import "
                          "(run again with --force to overwrite them with the imported data):"]
            for outcome in self.skipped:
                lines.append(f"  {outcome.path} ({outcome.name}): {'; '.join(outcome.reasons)}")

        if self.unmapped:
            lines += ["", "Taxonomy terms that did not map (number of services):"]
            for taxonomy in sorted(self.unmapped):
                terms = self.unmapped[taxonomy]
                lines.append(f"  {taxonomy}: " + ", ".join(
                    f"{term} ({count})" for term, count in sorted(terms.items(), key=lambda item: (-item[1],
                                                                                                   item[0]))))

        if self.missing:
            lines += ["", "Missing or filled-in fields (number of entries):"]
            for what in sorted(self.missing):
                names = self.missing[what]
                shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
                lines.append(f"  {what} ({len(names)}): {shown}")

        if self.ignored_fields:
            lines += ["", "Feed fields with no place in our entries (not imported): " + ", ".join(
                f"{name} ({count})" for name, count in sorted(self.ignored_fields.items()))]

        if self.gone:
            lines += ["", "Imported before but no longer in this source (left as they are; archive or delete "
                          "them if the service has closed):"]
            lines += [f"  {path}" for path in self.gone]

        if self.check_errors:
            lines += ["", "earlyhelp check found errors in the folder that were there before this import:"]
            lines += [f"  {error}" for error in self.check_errors[:20]]
            if len(self.check_errors) > 20:
                lines.append(f"  ... and {len(self.check_errors) - 20} more (run earlyhelp check)")
        return lines

    def text(self) -> str:
        """The summary as printed by the command."""
        return "\n".join(self.lines()) + "\n"
