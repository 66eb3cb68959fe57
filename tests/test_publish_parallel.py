"""A full publish with processes > 1 (app/search/indexer.py: forked workers index consecutive shares
of the services into a segment each while this process writes the database) must publish what one
process publishes: the same rows, the same index, the same search results."""

from __future__ import annotations

from whoosh import index as whoosh_index

from app.publishing.publish import publish
from app.publishing.releases import ReleaseStore
from app.release.schema import WHOOSH_FOLDER
from app.search import indexer

from .factories import service, write_service
from .test_publish_reuse import release_rows, search_ids

QUERIES = ({}, {"q": "clinic"}, {"q": "parenting group"}, {"q": '"speech and language"'}, {"q": "debt"},
           {"hub": "west"}, {"need": "money-debt"}, {"q": "advice", "hub": "east"}, {"age": "3-5"})


def postings(path) -> tuple:
    """Every term's postings (document number, weight, positions), field lengths and stored fields."""
    with whoosh_index.open_dir(str(path / WHOOSH_FOLDER)).reader() as reader:
        schema = reader.schema
        terms = {}
        for field in schema.names():
            if schema[field].indexed:
                for text in reader.lexicon(field):
                    matcher, found = reader.postings(field, text), []
                    while matcher.is_active():
                        found.append((matcher.id(), matcher.weight(), matcher.value()))
                        matcher.next()
                    terms[field, text] = found
        documents = range(reader.doc_count_all())
        lengths = {field: [reader.doc_field_length(doc, field) for doc in documents]
                   for field in schema.names() if schema[field].scorable}
        return terms, lengths, [reader.stored_fields(doc) for doc in documents], reader.is_atomic()


def test_a_parallel_full_build_publishes_what_one_process_does(content_dir, tmp_path, monkeypatch):
    write_service(content_dir, service("gardening-club", title="Family gardening club", hubs=["west"]))
    monkeypatch.setattr(indexer, "PARALLEL_FROM", 1)  # the content is small: use workers anyway
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    publish(content_dir, serial, processes=1)
    result = publish(content_dir, parallel, processes=3)
    assert result.manifest["built"] == "full"
    assert release_rows(parallel) == release_rows(serial)
    one, several = (postings(ReleaseStore(index).current().path) for index in (serial, parallel))
    assert (one[3], several[3]) == (True, False), "one segment, then one per worker"
    assert several[:3] == one[:3]
    found = [search_ids(serial, **params) for params in QUERIES]
    assert sum(1 for ids in found if ids) >= 6, "the queries find something"
    for params, ids in zip(QUERIES, found, strict=True):
        assert search_ids(parallel, **params) == ids, params

    # An incremental publish on top of the release of several segments still equals a full build.
    write_service(content_dir, service("debt-advice", title="Money and debt clinic", needs=["money-debt"],
                                       hubs=["east"]))
    assert publish(content_dir, parallel, processes=3).manifest["built"] == "incremental"
    rebuilt = tmp_path / "rebuilt"
    publish(content_dir, rebuilt, processes=1, incremental=False)
    assert release_rows(parallel) == release_rows(rebuilt)
    for params in QUERIES:
        assert search_ids(parallel, **params) == search_ids(rebuilt, **params), params
