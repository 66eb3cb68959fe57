"""Turn what a family types into a Whoosh query.

- Words are analysed as the index is (folded, stop words dropped, stemmed);
  a document matches any word, ranked higher the more words it matches.
- Text in double quotes is a phrase.
- Need synonyms ("money worries", "wont go to school") are found in the
  query and boost every service with that need.
- A word that is in no document is corrected from the index's own
  vocabulary ("councelling" -> "counselling"); the correction is searched
  too and offered as "did you mean".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from babel import Locale
from whoosh import query as wq

from .analysis import STOP_WORDS, english_analyzer, fold, phrase_analyzer, stem, tokenizer, words

SYNONYM_BOOST = 6.0
LANGUAGE_BOOST = 4.0
PHRASE_BOOST = 2.0
CORRECTION_WEIGHT = 0.8
_PHRASES = re.compile(r'"([^"]*)"')
TEXT_FIELD = "text"


@dataclass
class ParsedQuery:
    query: wq.Query | None
    words: list[str] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    needs: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    did_you_mean: str | None = None


class SynonymMatcher:
    """Finds need synonyms inside a query, comparing stemmed word sequences."""

    def __init__(self, synonyms: dict[str, list[str]]):
        analyzer = phrase_analyzer()
        self._entries: list[tuple[tuple[str, ...], str]] = []
        for need_id, phrases in synonyms.items():
            for phrase in phrases:
                sequence = tuple(words(analyzer, phrase))
                if sequence:
                    self._entries.append((sequence, need_id))
        self._analyzer = analyzer

    def needs_in(self, text: str) -> list[str]:
        tokens = words(self._analyzer, text)
        found: list[str] = []
        for sequence, need_id in self._entries:
            if need_id in found:
                continue
            size = len(sequence)
            if any(tuple(tokens[i:i + size]) == sequence for i in range(len(tokens) - size + 1)):
                found.append(need_id)
        return found


# Names Babel does not give in English for some codes, as families type them.
LANGUAGE_ALIASES = {"bn": ("bengali",), "fa": ("farsi", "persian"), "pa": ("punjabi",)}


def language_names(codes) -> dict[str, str]:
    """Folded English names of languages ("polish", "bengali") to their ISO codes."""
    english = Locale("en").languages
    names = {}
    for code in codes:
        for name in (english.get(code, ""), *LANGUAGE_ALIASES.get(code, ())):
            if name and " " not in name:
                names[fold(name.lower())] = code
    return names


class QueryBuilder:
    """Builds queries against one open index (its vocabulary drives corrections).

    ``languages`` maps language names to codes: "Polish speaking support"
    boosts services delivered in Polish.
    """

    def __init__(self, synonyms: SynonymMatcher, languages: dict[str, str] | None = None):
        self.synonyms = synonyms
        self.languages = languages or {}
        self._english = english_analyzer()
        self._tokenizer = tokenizer()

    def _surface_words(self, text: str) -> list[str]:
        return [fold(token.text.lower()) for token in self._tokenizer(text)]

    @staticmethod
    def _term_clause(term: str, weight: float = 1.0) -> wq.Query:
        return wq.Term(TEXT_FIELD, term, boost=weight)

    def build(self, text: str, searcher) -> ParsedQuery:
        phrases = [p for p in _PHRASES.findall(text) if p.strip()]
        loose = _PHRASES.sub(" ", text).replace('"', " ")
        reader = searcher.reader()
        corrector = None
        clauses: list[wq.Query] = []
        parsed = ParsedQuery(query=None)

        for word in self._surface_words(loose):
            if word in STOP_WORDS or len(word) < 2:
                continue
            if word in self.languages and self.languages[word] not in parsed.languages:
                parsed.languages.append(self.languages[word])
            term = stem(word)
            parsed.words.append(word)
            clause = self._term_clause(term)
            if not reader.doc_frequency(TEXT_FIELD, term) and len(word) >= 4 and not word.isdigit():
                corrector = corrector or searcher.corrector("spell")
                # A single-segment index has a word graph to search; across several
                # segments Whoosh compares every word, so keep to the first letter.
                prefix = 0 if reader.is_atomic() else 1
                suggestion = next(iter(corrector.suggest(word, limit=1, maxdist=2 if len(word) > 5 else 1,
                                                         prefix=prefix)), None)
                if suggestion and suggestion != word:
                    parsed.corrections[word] = suggestion
                    clause = wq.Or([clause, self._term_clause(stem(suggestion), CORRECTION_WEIGHT)])
            clauses.append(clause)

        for phrase in phrases:
            stems = words(self._english, phrase)
            if len(stems) == 1:
                clauses.append(self._term_clause(stems[0]))
            elif stems:
                clauses.append(wq.Phrase(TEXT_FIELD, stems, boost=PHRASE_BOOST))

        corrected_text = self._apply_corrections(text, parsed.corrections)
        parsed.needs = self.synonyms.needs_in(corrected_text)
        clauses.extend(wq.Term("need", need_id, boost=SYNONYM_BOOST) for need_id in parsed.needs)
        clauses.extend(wq.Term("language", code, boost=LANGUAGE_BOOST) for code in parsed.languages)
        if parsed.corrections:
            parsed.did_you_mean = corrected_text
        if clauses:
            parsed.query = clauses[0] if len(clauses) == 1 else wq.Or(clauses)
        return parsed

    @staticmethod
    def _apply_corrections(text: str, corrections: dict[str, str]) -> str:
        if not corrections:
            return text

        def replace(match: re.Match) -> str:
            return corrections.get(fold(match.group(0).lower()), match.group(0))

        return re.sub(r"[^\W_]+(?:['’][^\W_]+)*", replace, text)
