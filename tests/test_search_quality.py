"""Search quality on the sample content: do real queries find the right services?

`tests/search_quality/queries.yml` lists queries as families and
practitioners type them, each with the services a good directory shows in
its top five. We report success@5 (share of queries with an expected
service in the top 5) and mean reciprocal rank (of the first expected
service in the top 20), and fail below a success@5 of 0.9.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.config import PROJECT_ROOT
from app.live import LiveRelease
from app.publishing.publish import publish
from app.search.request import parse_request

QUERIES = Path(__file__).parent / "search_quality" / "queries.yml"
SAMPLE_CONTENT = PROJECT_ROOT / "content"
MINIMUM_SUCCESS_AT_5 = 0.9
REPORT: dict = {}


@pytest.fixture(scope="module")
def sample_engine(tmp_path_factory):
    index = tmp_path_factory.mktemp("quality-index")
    publish(SAMPLE_CONTENT, index, processes=1)
    return LiveRelease(index).get()


def load_queries() -> list[dict]:
    return yaml.safe_load(QUERIES.read_text(encoding="utf-8"))


def test_query_set_is_large_and_points_at_published_services(sample_engine):
    queries = load_queries()
    assert len(queries) >= 40
    published = {row["id"] for row in sample_engine.db()["services"].rows}
    for case in queries:
        assert case["expect"], case["query"]
        missing = set(case["expect"]) - published
        assert not missing, f"{case['query']!r} expects unpublished or unknown services {missing}"


def test_success_at_5_and_mean_reciprocal_rank(sample_engine):
    engine = sample_engine.engine
    successes, reciprocal_ranks, failures = 0, [], []
    queries = load_queries()
    for case in queries:
        result = engine.search(parse_request({"q": [case["query"]]}, engine.vocabulary))
        found = [hit.id for hit in result.hits]
        ranks = [found.index(expected) + 1 for expected in case["expect"] if expected in found]
        first = min(ranks) if ranks else None
        reciprocal_ranks.append(1 / first if first else 0.0)
        if first and first <= 5:
            successes += 1
        else:
            failures.append(f"{case['query']!r}: expected {case['expect']}, top 5 {found[:5]}")
    success_at_5 = successes / len(queries)
    mrr = sum(reciprocal_ranks) / len(queries)
    REPORT.update(queries=len(queries), success_at_5=success_at_5, mrr=mrr, failures=failures)
    assert success_at_5 >= MINIMUM_SUCCESS_AT_5, "\n".join(
        [f"success@5 {success_at_5:.2f} < {MINIMUM_SUCCESS_AT_5}; MRR {mrr:.2f}", *failures])
