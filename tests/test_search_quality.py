"""Search quality on the sample content: do real queries find the right services?

`tests/search_quality/queries.yml` lists queries as families and
practitioners type them, each with the services a good directory shows in
its top five. `queries.<lang>.yml` files (same shape) hold queries typed in
another language; they are searched in that language, as on the pages under
`/<lang>/`. We report success@5 (share of queries with an expected service
in the top 5) and mean reciprocal rank (of the first expected service in the
top 20) for each language, and fail below a success@5 of 0.9.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.config import PROJECT_ROOT
from app.publishing.publish import publish
from app.release.live import LiveRelease
from app.search.request import parse_request

QUERY_FOLDER = Path(__file__).parent / "search_quality"
QUERIES = QUERY_FOLDER / "queries.yml"
SAMPLE_CONTENT = PROJECT_ROOT / "content"
MINIMUM_SUCCESS_AT_5 = 0.9
# language -> figures, for the summary pytest prints at the end ("en" is queries.yml).
REPORT: dict[str, dict] = {}


def query_files() -> dict[str, Path]:
    """English first, then each language that has a query file."""
    files = {"en": QUERIES}
    for path in sorted(QUERY_FOLDER.glob("queries.*.yml")):
        files[path.name.split(".")[1]] = path
    return files


@pytest.fixture(scope="module")
def sample_engine(tmp_path_factory):
    index = tmp_path_factory.mktemp("quality-index")
    publish(SAMPLE_CONTENT, index, processes=1)
    return LiveRelease(index).get()


def load_queries(path: Path = QUERIES) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def evaluate(engine, queries: list[dict], language: str = "en") -> dict:
    """success@5, MRR and the missed queries of a query set searched in ``language``."""
    successes, reciprocal_ranks, failures = 0, [], []
    for case in queries:
        result = engine.search(parse_request({"q": [case["query"]]}, engine.vocabulary, language))
        found = [hit.id for hit in result.hits]
        ranks = [found.index(expected) + 1 for expected in case["expect"] if expected in found]
        first = min(ranks) if ranks else None
        reciprocal_ranks.append(1 / first if first else 0.0)
        if first and first <= 5:
            successes += 1
        else:
            failures.append(f"{case['query']!r}: expected {case['expect']}, top 5 {found[:5]}")
    return {"queries": len(queries), "success_at_5": successes / len(queries),
            "mrr": sum(reciprocal_ranks) / len(queries), "failures": failures}


@pytest.mark.parametrize("language", list(query_files()))
def test_query_set_is_large_and_points_at_published_services(sample_engine, language):
    queries = load_queries(query_files()[language])
    assert len(queries) >= (40 if language == "en" else 10)
    published = {service_id for service_id, _ in sample_engine.service_index()}
    for case in queries:
        assert case["expect"], case["query"]
        missing = set(case["expect"]) - published
        assert not missing, f"{case['query']!r} expects unpublished or unknown services {missing}"


@pytest.mark.parametrize("language", list(query_files()))
def test_success_at_5_and_mean_reciprocal_rank(sample_engine, language):
    engine = sample_engine.engine
    if language != "en":
        assert language in engine.languages, f"{language} is not offered in the sample content's site.yml"
    report = evaluate(engine, load_queries(query_files()[language]), language)
    REPORT[language] = report
    assert report["success_at_5"] >= MINIMUM_SUCCESS_AT_5, "\n".join(
        [f"{language}: success@5 {report['success_at_5']:.2f} < {MINIMUM_SUCCESS_AT_5}; "
         f"MRR {report['mrr']:.2f}", *report["failures"]])


@pytest.mark.parametrize(("language", "query"), [
    ("es", "curso para padres"),     # "para" is a Spanish stop word; it was "corrected" to "papa"
    ("es", "no tengo para comer"),
    ("ar", "ابنتي تعاني من القلق"),  # "suffers" was "corrected" to "drug use", one letter away
])
def test_function_words_and_non_latin_words_are_not_corrected(sample_engine, language, query):
    engine = sample_engine.engine
    result = engine.search(parse_request({"q": [query]}, engine.vocabulary, language))
    assert result.did_you_mean is None
