"""The Whoosh schema, and how a service becomes a search document."""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from ..content.loader import ContentSet
from ..content.model import Service
from .analysis import (
    PairPositions,
    english_analyzer,
    fold,
    language_analyzer,
    shared_analyzers,
    spelling_analyzer,
    weighted_text,
)

# Weights of the parts of a service's text: what a family types is most
# telling when it matches a service's title, its keywords or the names and
# synonyms of its needs. All parts go into the one `text` field.
PART_BOOSTS = {
    "title": 4.0,
    "keywords": 3.0,
    "needs": 2.5,
    "summary": 2.0,
    "organisation": 1.0,
    "body": 1.0,
    "places": 0.5,
}

# Filter groups as they appear in URLs (``need=...&age=...``).
FILTER_GROUPS = ("need", "age", "hub", "level", "free", "delivery", "language", "access")
# The languages a service is translated into (not a filter: it ranks translated services first).
TRANSLATED_FIELD = "translated"


def text_field(language: str) -> str:
    """The field holding a service's text in ``language`` (English: ``text``)."""
    return "text" if language == "en" else f"text_{language}"


def pair_field(text_field_name: str) -> str:
    """The field of adjacent word pairs that phrases of a text field are found by (``text``: ``pairs``)."""
    return "pairs" + text_field_name.removeprefix("text")


def text_fields(analyzer) -> tuple[TEXT, TEXT]:
    """A text field (words with their frequencies and weights, no positions) and its pair field.

    A word's postings carry no positions, so a word query decodes only ids and weights. A phrase
    is found in the pair field instead: each word joined to the next one when it is at the next
    position (``"speech languag"``), with the pair's positions, so a two-word phrase is one
    pair's postings and a longer one its pairs at consecutive positions. The pair field is not
    scored: a phrase scores what its words score in the text field. Its postings
    (:class:`PairPositions`) are written by the index writer straight from each document's pairs
    (``indexer._SegmentWriter``), not through Whoosh's posting pool."""
    words_analyzer, pairs_analyzer = shared_analyzers(analyzer)
    words = TEXT(analyzer=words_analyzer, phrase=False)
    pairs = TEXT(analyzer=pairs_analyzer, phrase=True)
    pairs.format = PairPositions()
    pairs.scorable = False  # no field lengths: nothing is scored by it
    return words, pairs


def spell_field(language: str) -> str:
    return "spell" if language == "en" else f"spell_{language}"


def build_schema(languages: list[str] = ()) -> Schema:
    """The schema, with a text and a spelling field for each translated language.

    Each language is analysed its own way (stemmer, stop words); the English
    ``text`` field holds every service, a language's field the services
    translated into it (and, for every service, its needs' names and
    synonyms in that language).
    """
    fields = {group: KEYWORD(commas=True, scorable=False) for group in (*FILTER_GROUPS, TRANSLATED_FIELD)}
    for language in languages:
        fields[text_field(language)], fields[pair_field(text_field(language))] = text_fields(
            language_analyzer(language))
        fields[spell_field(language)] = TEXT(analyzer=spelling_analyzer(language), phrase=False,
                                             spelling=True)
        fields[title_sort_field(language)] = ID(sortable=True)
    fields["text"], fields["pairs"] = text_fields(english_analyzer())
    return Schema(
        id=ID(stored=True, unique=True),
        title_sort=ID(sortable=True),
        spell=TEXT(analyzer=spelling_analyzer(), phrase=False, spelling=True),
        result=STORED,
        **fields,
    )


def title_sort_field(language: str) -> str:
    """The column that orders services by their title as shown in ``language``."""
    return "title_sort" if language == "en" else f"title_sort_{language}"


def sort_key(title: str) -> str:
    """Order titles as a reader expects: case and accents ignored."""
    return " ".join(fold(word) for word in title.lower().split())


def service_document(service: Service, content: ContentSet) -> dict:
    """The fields Whoosh indexes for one published service."""
    needs = [content.needs[need_id] for need_id in service.needs if need_id in content.needs]
    need_text = " . ".join(
        f"{need.label} . {' . '.join(need.synonyms)}" for need in needs)
    organisation = content.organisations.get(service.organisation)
    hubs = list(content.hubs) if service.borough_wide else service.served_hubs()
    hub_names = [content.hubs[hub].name for hub in hubs if hub in content.hubs]
    places = " . ".join([*(f"{venue.name} {venue.address} {venue.postcode}" for venue in service.venues),
                         *([] if service.borough_wide else hub_names)])
    ages = [band.id for band in content.age_bands.values()
            if band.overlaps(service.age_min, service.age_max, service.pregnancy)]
    keywords = " . ".join(service.keywords)
    text = weighted_text((text, PART_BOOSTS[part]) for part, text in (
        ("title", service.title), ("keywords", keywords), ("needs", need_text),
        ("summary", service.summary), ("organisation", organisation.name if organisation else ""),
        ("body", service.body), ("places", places)))
    document = {
        "id": service.id,
        "title_sort": sort_key(service.title),
        "text": text,
        "pairs": text,
        # The body is left out: it would double the analysis work for few new words.
        "spell": " ".join((service.title, keywords, need_text, service.summary)),
        "need": ",".join(service.needs),
        "age": ",".join(ages),
        "hub": ",".join(hubs),
        "level": ",".join(str(level) for level in service.levels),
        "free": "1" if service.free else "",
        "delivery": ",".join(service.delivery),
        "language": ",".join(service.languages),
        "access": ",".join(service.access),
        "result": {"title": service.title, "summary": service.summary},
    }
    translated_results = {}
    for language in content.translated_languages:
        document.update(_language_fields(service, content, language))
        translation = content.translation("services", service.id, language)
        if translation is not None:
            translated_results[language] = {"title": translation.text("title"),
                                            "summary": translation.text("summary"),
                                            "stale": translation.stale}
    if translated_results:
        document["result"]["translations"] = translated_results
    document[TRANSLATED_FIELD] = ",".join(translated_results)
    return document


def _language_fields(service: Service, content: ContentSet, language: str) -> dict:
    """The text of one service in ``language``: its translation, and its needs' names in that language."""
    need_words = []
    for need_id in service.needs:
        term = content.translation("needs", need_id, language)
        if term is not None:
            need_words.append(" . ".join([term.text("label"), *term.fields.get("synonyms", [])]))
    need_text = " . ".join(need_words)
    translation = content.translation("services", service.id, language)
    words, pairs = text_field(language), pair_field(text_field(language))
    if translation is None:
        text = weighted_text([(need_text, PART_BOOSTS["needs"])])
        return {words: text, pairs: text, spell_field(language): need_text,
                title_sort_field(language): sort_key(service.title)}
    keywords = " . ".join(translation.fields.get("keywords", []))
    title, summary = translation.text("title"), translation.text("summary")
    text = weighted_text((text, PART_BOOSTS[part]) for part, text in (
        ("title", title), ("keywords", keywords), ("needs", need_text), ("summary", summary),
        ("body", translation.body)))
    return {
        title_sort_field(language): sort_key(title),
        words: text,
        pairs: text,
        spell_field(language): " ".join((title, keywords, need_text, summary)),
    }
