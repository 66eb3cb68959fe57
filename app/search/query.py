"""Turn what a family types into a Whoosh query.

- Words are analysed as the index is (folded, stop words dropped, stemmed);
  a document matches any word, ranked higher the more words it matches.
- Text in double quotes is a phrase.
- Need synonyms ("money worries", "wont go to school") are found in the
  query and boost every service with that need.
- A word that is in no document is corrected from the index's own
  vocabulary ("councelling" -> "counselling"); the correction is searched
  too and offered as "did you mean".
- A search in another language X matches each word against the X text
  (analysed the X way: its stemmer, its stop words) and the English text,
  with X matches weighted higher, so translated services rank first and
  untranslated ones are still found. X's need labels and synonyms count as
  well as the English ones, and take the same path: the need's services are
  boosted (and the engine lists them first). In a language without a
  stemmer a several-word synonym also matches its inflected forms ("nie
  chodzi do szkoły" names the need "chodzenie do szkoły").
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

from babel import Locale, UnknownLocaleError
from whoosh import query as wq

from .analysis import (
    STOP_WORDS,
    NormaliseFilter,
    english_analyzer,
    fold,
    is_stemmed,
    language_analyzer,
    phrase_analyzer,
    stem,
    tokenizer,
    words,
)
from .schema import spell_field, text_field

SYNONYM_BOOST = 6.0
LANGUAGE_BOOST = 4.0
PHRASE_BOOST = 2.0
CORRECTION_WEIGHT = 0.8
# How much more a match in the reader's language counts than one in the English text.
OWN_LANGUAGE_BOOST = 3.0
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
    # The part of the query that searches the reader's language's text (None in English).
    own_query: wq.Query | None = None


def _latin(word: str) -> bool:
    """Whether a word is written in Latin letters. Only those get spelling corrections: in Arabic,
    Urdu and Bengali most words are one or two letters from another word with another meaning, so
    an edit-distance correction turns "anxiety" into "drug use"; folding and synonyms do the work."""
    return all(not letter.isalpha() or letter < "\u0250" for letter in word)


def _leaves(clause: wq.Query) -> list[wq.Query]:
    """The terms and phrases of a clause (an Or of alternatives, or a single one)."""
    return list(clause.subqueries) if isinstance(clause, wq.Or) else [clause]


def same_inflected_word(typed: str, listed: str) -> bool:
    """Whether two folded words look like forms of one word in a language that inflects by its
    endings and has no stemmer here (Polish "chodzi" and "chodzenie", "szkoły" and "szkole";
    Turkish "okula" and "okul"): a shared start of at least 4 letters, after which the shorter
    word has at most 2 letters left and the longer at most 4."""
    if typed == listed:
        return True
    common = next((i for i, (one, other) in enumerate(zip(typed, listed, strict=False)) if one != other),
                  min(len(typed), len(listed)))
    shorter, longer = sorted((len(typed), len(listed)))
    return common >= 4 and shorter - common <= 2 and longer - common <= 4


class SynonymMatcher:
    """Finds need labels and synonyms inside a query, comparing stemmed word sequences (stemmed
    the way of the synonyms' language).

    In a language without a stemmer, the words of a synonym of two or more words may also match
    by :func:`same_inflected_word`: the other words keep a loose match from naming a need by
    accident, which a single word could not ("waga", weight, is not "wagary", truancy)."""

    def __init__(self, synonyms: dict[str, list[str]], language: str = "en"):
        analyzer = phrase_analyzer(language)
        self._entries: list[tuple[tuple[str, ...], str]] = []
        for need_id, phrases in synonyms.items():
            for phrase in phrases:
                sequence = tuple(words(analyzer, phrase))
                if sequence:
                    self._entries.append((sequence, need_id))
        self._analyzer = analyzer
        self._inflected = not is_stemmed(language)

    def _matches(self, typed: tuple[str, ...], listed: tuple[str, ...]) -> bool:
        if typed == listed:
            return True
        return (self._inflected and len(listed) > 1
                and all(same_inflected_word(one, other) for one, other in zip(typed, listed, strict=True)))

    def needs_in(self, text: str) -> list[str]:
        tokens = words(self._analyzer, text)
        found: list[str] = []
        for sequence, need_id in self._entries:
            if need_id in found:
                continue
            size = len(sequence)
            if any(self._matches(tuple(tokens[i:i + size]), sequence) for i in range(len(tokens) - size + 1)):
                found.append(need_id)
        return found


# Names Babel does not give in English for some codes, as families type them.
LANGUAGE_ALIASES = {"bn": ("bengali",), "fa": ("farsi", "persian"), "pa": ("punjabi",)}


def language_names(codes, language: str = "en") -> dict[str, str]:
    """Folded names of languages ("polish", "bengali"; in ``language`` too: "polski") to their codes."""
    catalogues = [Locale("en").languages]
    if language != "en":
        with contextlib.suppress(ValueError, UnknownLocaleError):
            catalogues.append(Locale.parse(language).languages)
    names = {}
    for code in codes:
        for name in (*(catalogue.get(code, "") for catalogue in catalogues), *LANGUAGE_ALIASES.get(code, ())):
            if name and " " not in name:
                names[fold(name.lower())] = code
    return names


class QueryBuilder:
    """Builds queries against one open index (its vocabulary drives corrections).

    ``languages`` maps language names to codes: "Polish speaking support"
    boosts services delivered in Polish.
    """

    def __init__(self, synonyms: SynonymMatcher, languages: dict[str, str] | None = None,
                 language: str = "en", own_synonyms: SynonymMatcher | None = None):
        self.synonyms = synonyms
        self.languages = languages or {}
        self.language = language
        self.own_synonyms = own_synonyms
        self._english = english_analyzer()
        self._tokenizer = tokenizer()
        self._own = NormaliseFilter(language=language) if language != "en" else None
        self._own_phrases = language_analyzer(language) if language != "en" else None
        self._own_field = text_field(language)

    def _surface_words(self, text: str) -> list[str]:
        return [fold(token.text.lower()) for token in self._tokenizer(text)]

    @staticmethod
    def _term_clause(term: str, weight: float = 1.0) -> wq.Query:
        return wq.Term(TEXT_FIELD, term, boost=weight)

    def _word_terms(self, word: str) -> list[tuple[str, str, float]]:
        """(field, term, boost) a folded word is searched as: in the reader's language, then English."""
        terms = []
        if self._own is not None:
            own = self._own.normalise(word)
            if not own:
                # A function word of the reader's language ("para", "من"): searching it in English,
                # or "correcting" it to an English word ("papa"), only adds noise.
                return []
            terms.append((self._own_field, own, OWN_LANGUAGE_BOOST))
        if word not in STOP_WORDS and len(word) >= 2:
            terms.append((TEXT_FIELD, stem(word), 1.0))
        return terms

    def _suggest(self, searcher, reader, word: str) -> str | None:
        """The nearest word in the reader's language's vocabulary, else in the English one."""
        # A single-segment index has a word graph to search; across several
        # segments Whoosh compares every word, so keep to the first letter.
        prefix = 0 if reader.is_atomic() else 1
        fields = [spell_field(self.language)] if self._own is not None else []
        for field_name in [*fields, spell_field("en")]:
            corrector = searcher.corrector(field_name)
            suggestion = next(iter(corrector.suggest(word, limit=1, maxdist=2 if len(word) > 5 else 1,
                                                     prefix=prefix)), None)
            if suggestion and suggestion != word:
                return suggestion
        return None

    def build(self, text: str, searcher) -> ParsedQuery:
        phrases = [p for p in _PHRASES.findall(text) if p.strip()]
        loose = _PHRASES.sub(" ", text).replace('"', " ")
        reader = searcher.reader()
        clauses: list[wq.Query] = []
        parsed = ParsedQuery(query=None)

        for word in self._surface_words(loose):
            terms = self._word_terms(word)
            if not terms:
                continue
            if word in self.languages and self.languages[word] not in parsed.languages:
                parsed.languages.append(self.languages[word])
            parsed.words.append(word)
            options = [wq.Term(field_name, term, boost=boost) for field_name, term, boost in terms]
            known = any(reader.doc_frequency(field_name, term) for field_name, term, _ in terms)
            if not known and len(word) >= 4 and not word.isdigit() and _latin(word):
                suggestion = self._suggest(searcher, reader, word)
                if suggestion:
                    parsed.corrections[word] = suggestion
                    options += [wq.Term(field_name, term, boost=boost * CORRECTION_WEIGHT)
                                for field_name, term, boost in self._word_terms(suggestion)]
            clauses.append(options[0] if len(options) == 1 else wq.Or(options))

        for phrase in phrases:
            clauses.extend(self._phrase_clauses(phrase))

        corrected_text = self._apply_corrections(text, parsed.corrections)
        parsed.needs = self.synonyms.needs_in(corrected_text)
        if self.own_synonyms is not None:
            parsed.needs += [need for need in self.own_synonyms.needs_in(corrected_text)
                             if need not in parsed.needs]
        clauses.extend(wq.Term("need", need_id, boost=SYNONYM_BOOST) for need_id in parsed.needs)
        clauses.extend(wq.Term("language", code, boost=LANGUAGE_BOOST) for code in parsed.languages)
        if parsed.corrections:
            parsed.did_you_mean = corrected_text
        if clauses:
            parsed.query = clauses[0] if len(clauses) == 1 else wq.Or(clauses)
        own = [leaf for clause in clauses for leaf in _leaves(clause)
               if getattr(leaf, "fieldname", None) == self._own_field]
        if self._own is not None and own:
            parsed.own_query = own[0] if len(own) == 1 else wq.Or(own)
        return parsed

    def _phrase_clauses(self, phrase: str) -> list[wq.Query]:
        options = []
        analysed = [(TEXT_FIELD, words(self._english, phrase), 1.0)]
        if self._own_phrases is not None:
            analysed.insert(0, (self._own_field, words(self._own_phrases, phrase), OWN_LANGUAGE_BOOST))
        for field_name, stems, boost in analysed:
            if len(stems) == 1:
                options.append(wq.Term(field_name, stems[0], boost=boost))
            elif stems:
                options.append(wq.Phrase(field_name, stems, boost=PHRASE_BOOST * boost))
        if not options:
            return []
        return [options[0] if len(options) == 1 else wq.Or(options)]

    @staticmethod
    def _apply_corrections(text: str, corrections: dict[str, str]) -> str:
        if not corrections:
            return text

        def replace(match: re.Match) -> str:
            return corrections.get(fold(match.group(0).lower()), match.group(0))

        return re.sub(r"[^\W_]+(?:['’][^\W_]+)*", replace, text)
