"""Coverage: exact cells of the made corpus, with each switch, and the gaps no hub fills."""

from __future__ import annotations

from app.insight.coverage import COVERED, EMPTY, THIN, Switches, coverage

from .release import open_corpus


def _counts(report) -> dict[tuple[str, str, str], int]:
    """Only the cells that hold services."""
    return {(cell.hub, cell.need, cell.age_band): cell.count for cell in report.cells() if cell.count}


def test_every_cell_of_every_hub(corpus):
    directory, services, _organisations = open_corpus(corpus[1])
    report = coverage(services, directory, Switches())
    assert [grid.hub for grid in report.grids] == ["east", "west"]
    assert report.needs == ["parenting", "money-debt", "school-attendance", "speech-language",
                            "domestic-abuse"]
    assert len(list(report.cells())) == 2 * 5 * 7
    # The draft is not counted; the borough-wide debt line counts in both hubs.
    assert _counts(report) == {
        ("east", "money-debt", "16-18"): 2, ("east", "money-debt", "19-25"): 2,
        ("east", "speech-language", "0-2"): 1, ("east", "speech-language", "3-5"): 1,
        ("west", "parenting", "0-2"): 2, ("west", "parenting", "3-5"): 1,
        ("west", "money-debt", "16-18"): 2, ("west", "money-debt", "19-25"): 1,
    }
    grids = {grid.hub: grid for grid in report.grids}
    assert (grids["west"].services, grids["east"].services) == (4, 3)
    assert (grids["west"].count(EMPTY), grids["west"].count(THIN), grids["west"].count(COVERED)) == (31, 2, 2)
    assert (grids["east"].count(EMPTY), grids["east"].count(THIN), grids["east"].count(COVERED)) == (31, 2, 2)


def test_the_gaps_no_hub_fills(corpus):
    directory, services, _organisations = open_corpus(corpus[1])
    gaps = coverage(services, directory, Switches()).borough_gaps()
    offered = {("parenting", "0-2"), ("parenting", "3-5"), ("money-debt", "16-18"), ("money-debt", "19-25"),
               ("speech-language", "0-2"), ("speech-language", "3-5")}
    assert len(gaps) == 35 - len(offered)
    assert not offered & set(gaps)
    assert ("domestic-abuse", "pregnancy") in gaps and ("school-attendance", "6-11") in gaps


def test_switches_narrow_what_is_counted(corpus):
    directory, services, _organisations = open_corpus(corpus[1])
    assert _counts(coverage(services, directory, Switches(level=2))) == {
        ("east", "money-debt", "16-18"): 1, ("east", "money-debt", "19-25"): 1,
        ("east", "speech-language", "0-2"): 1, ("east", "speech-language", "3-5"): 1,
        ("west", "parenting", "0-2"): 1, ("west", "parenting", "3-5"): 1, ("west", "money-debt", "16-18"): 1,
    }
    free = _counts(coverage(services, directory, Switches(free_only=True)))
    assert free[("west", "parenting", "0-2")] == 1 and ("west", "parenting", "3-5") not in free
    polish = _counts(coverage(services, directory, Switches(language="pl")))
    assert polish == {("west", "parenting", "0-2"): 1}


def test_the_thin_threshold_is_a_switch(corpus):
    directory, services, _organisations = open_corpus(corpus[1])
    report = coverage(services, directory, Switches(thin=2))
    statuses = {(cell.hub, cell.need, cell.age_band): cell.status for cell in report.cells()}
    assert statuses[("west", "parenting", "0-2")] == THIN
    assert statuses[("west", "school-attendance", "0-2")] == EMPTY
    assert {status for status in statuses.values()} == {EMPTY, THIN}


def test_each_cell_links_to_the_same_services_in_search(corpus):
    switches = Switches(level=2, free_only=True, language="pl")
    assert switches.search_params() == {"level": "2", "free": "1", "language": "pl"}
    assert Switches().search_params() == {}
