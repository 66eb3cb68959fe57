"""A full publish with processes > 1 (app/search/indexer.py: forked workers index consecutive shares
of the services into a segment each while this process writes the database) must publish what one
process publishes: the same rows, the same index, the same search results."""

from __future__ import annotations

import pytest
from whoosh import index as whoosh_index

from app.content import load_content
from app.publishing.publish import publish
from app.publishing.releases import ReleaseStore
from app.release.schema import WHOOSH_FOLDER
from app.search import indexer
from app.search.analysis import decode_positions
from app.search.schema import build_schema, service_document

from .factories import service, write_service
from .test_publish_reuse import release_rows, search_ids
from .translated_content import write_translated_content

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


@pytest.mark.parametrize("way", ["blocks", "postings", "pool"])
def test_the_postings_written_without_the_pool_are_whooshs_own(tmp_path, monkeypatch, way):
    """The writer keeps every field's postings out of Whoosh's pool (indexer._SegmentWriter) and
    writes them a block at a time (or a posting at a time, for a postings writer it does not know)
    unless they take more memory than it may hold: every way the index holds what Whoosh's own
    writer, every posting through its pool, writes, to the byte."""
    held = way != "pool"
    if not held:
        monkeypatch.setattr(indexer, "_POSTING_SIZE", 1 << 40)  # each document's postings too many
    if way == "postings":
        monkeypatch.setattr(indexer, "W3PostingsWriter", type("Unknown", (), {}))
    root = write_translated_content(tmp_path / "content")
    write_service(root, service("speech-again", title="Speech and language: speech and language",
                                summary="Speech, language and more speech and language."))
    content = load_content(root)
    ours, whooshs = tmp_path / "ours", tmp_path / "whooshs"
    for folder in (ours, whooshs):
        (folder / WHOOSH_FOLDER).mkdir(parents=True)
        ix = whoosh_index.create_in(str(folder / WHOOSH_FOLDER), build_schema(content.translated_languages))
        writer = indexer._SegmentWriter(ix, compound=False) if folder == ours else ix.writer(compound=False)
        for published in content.published_services():
            writer.add_document(**service_document(published, content))
        if folder == ours:
            pooled = {"pairs", "text", "spell", "need", "id"} & writer.pool.fieldnames
            assert pooled == (set() if held else {"pairs", "text", "spell", "need", "id"})
        writer.commit()
    terms = postings(ours)[0]
    assert terms and postings(ours) == postings(whooshs)
    assert segment_files(ours) == segment_files(whooshs)  # the same bytes: blocks, statistics, lengths
    pair_fields = {field for field, _ in terms if field.startswith("pairs")}
    assert pair_fields == {"pairs", *(f"pairs_{language}" for language in content.translated_languages)}
    values = [value for (field, _), found in terms.items() if field in pair_fields for _, _, value in found]
    assert any(len(decode_positions(value)) > 1 for value in values)  # a pair twice in a document


def segment_files(folder) -> dict[str, bytes]:
    """The bytes of an index's one segment's files (postings, terms, columns of lengths and stored
    fields), by the name after the segment's, which is random."""
    files = {path.name.partition(".")[2]: path.read_bytes()
             for path in (folder / WHOOSH_FOLDER).glob("MAIN_*.*")}
    assert {"pst", "trm", "_text_len.col", "_stored.col"} <= files.keys()
    return files


def postings_by_service(folder) -> tuple[dict, int]:
    """Every field's postings of the documents not deleted, {(field, term): {service id: (weight,
    value)}}, and the number of segments."""
    with whoosh_index.open_dir(str(folder)).reader() as reader:
        found = {}
        for field in (name for name in reader.schema.names() if reader.schema[name].indexed):
            for text in reader.lexicon(field):
                matcher = reader.postings(field, text)
                while matcher.is_active():
                    if not reader.is_deleted(matcher.id()):
                        found.setdefault((field, text), {})[reader.stored_fields(matcher.id())["id"]] = (
                            matcher.weight(), matcher.value())
                    matcher.next()
        return found, len(list(reader.leaf_readers()))


def test_postings_survive_updates_and_merges_of_segments(content_dir, tmp_path):
    """One-entry updates add a segment each; past four, Whoosh merges the small ones through its
    pool, where the new document's postings then go too."""
    folder = tmp_path / "index"
    indexer.write_index(load_content(content_dir), folder)
    segments = []
    for number in range(7):
        write_service(content_dir, service("stay-and-chat", title=f"Speech and language drop-in {number}",
                                           summary="Speech and language, speech and language.",
                                           needs=["speech-language"], hubs=["west"]))
        indexer.update_index(load_content(content_dir), folder, ["stay-and-chat"])
        segments.append(postings_by_service(folder)[1])
    assert max(segments) > 2 and segments[-1] < max(segments), segments  # merged on the way
    rebuilt = tmp_path / "rebuilt"
    indexer.write_index(load_content(content_dir), rebuilt)
    updated = postings_by_service(folder)[0]
    assert updated and updated == postings_by_service(rebuilt)[0]
    assert len(decode_positions(updated["pairs", b"speech languag"]["stay-and-chat"][1])) > 2
    assert updated["text", b"speech"]["stay-and-chat"][0] > 4.0  # in the title (4) and the summary
