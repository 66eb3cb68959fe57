"""Text analysis for the search index: tokenising, folding and stemming.

Whoosh's default tokenizer splits words at Unicode combining marks (Python's
``\\w`` excludes them), which shreds Bengali and vowelled Arabic, and its
accent folding turns non-Latin words into loose letters. So we tokenise with
marks kept inside words, and fold per script: Latin letters lose accents
("Română" -> "romana"), Arabic script loses its optional vowel marks and
letter variants, other scripts are only normalised to NFC.
"""

from __future__ import annotations

import re
import struct
import unicodedata
from functools import cache, lru_cache
from itertools import pairwise

from whoosh.analysis import Filter, Token, Tokenizer
from whoosh.formats import Format
from whoosh.lang import has_stemmer, has_stopwords, stemmer_for_language, stopwords_for_language


def _combining_mark_class() -> str:
    """A regex character class of every combining mark (category M) in the BMP."""
    ranges, start, previous = [], None, None
    for code in range(0x300, 0x10000):
        is_mark = unicodedata.category(chr(code)).startswith("M")
        if is_mark and start is None:
            start = code
        if not is_mark and start is not None:
            ranges.append((start, previous))
            start = None
        previous = code
    if start is not None:  # pragma: no cover - the BMP does not end on a mark
        ranges.append((start, previous))
    return "".join(f"\\u{low:04x}-\\u{high:04x}" if low != high else f"\\u{low:04x}"
                   for low, high in ranges)


_MARKS = _combining_mark_class()
# A word is letters, digits and marks, optionally joined by apostrophes
# ("won't") or zero-width joiners/non-joiners (used inside Bengali, Urdu and
# Persian words).
WORD_PATTERN = rf"[\w{_MARKS}]+(?:['’\u200c\u200d][\w{_MARKS}]+)*"
_APOSTROPHES = re.compile(r"['’]")

# Letters without a decomposition that folding should still simplify.
_LATIN_SPECIALS = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d",
                                 "ı": "i", "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
                                 "ð": "d", "þ": "th", "ħ": "h"})
_ARABIC_HARAKAT = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # incl. tatweel
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ی", "ئ": "ی",
                                 "ؤ": "و", "ة": "ه", "ك": "ک", "ي": "ی", "ۀ": "ہ"})
# Digits of other scripts (Arabic-Indic, Persian/Urdu, Bengali) read as the digits families may
# also type: "٠٢٠" finds "020".
_DIGITS = str.maketrans({**{chr(0x660 + n): str(n) for n in range(10)},
                         **{chr(0x6F0 + n): str(n) for n in range(10)},
                         **{chr(0x9E6 + n): str(n) for n in range(10)}})
# Zero-width (non-)joiners shape Bengali, Urdu and Persian words; people type them or not.
_JOINERS = re.compile("[\u200c\u200d]")


def _script_of(word: str) -> str:
    for char in word:
        if char.isalpha():
            code = ord(char)
            if code < 0x250 or 0x1E00 <= code <= 0x1EFF:
                return "latin"
            if 0x600 <= code <= 0x6FF or 0x750 <= code <= 0x77F or 0xFB50 <= code <= 0xFEFF:
                return "arabic"
            return "other"
    return "latin"  # digits only


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Fold one lower-cased word for matching, by the script it is written in."""
    word = _APOSTROPHES.sub("", word).translate(_DIGITS)
    script = _script_of(word)
    if script == "latin":
        decomposed = unicodedata.normalize("NFKD", word.translate(_LATIN_SPECIALS))
        return "".join(char for char in decomposed if not unicodedata.combining(char))
    if script == "arabic":
        # Arabic and Urdu share a script: normalise both to the same letters.
        word = _JOINERS.sub("", word)
        return _ARABIC_HARAKAT.sub("", unicodedata.normalize("NFC", word)).translate(_ARABIC_LETTERS)
    return unicodedata.normalize("NFC", _JOINERS.sub("", word))


STOP_WORDS = frozenset({
    "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as",
    "at", "be", "been", "being", "but", "by", "can", "cant", "could", "did", "do", "does", "doing",
    "dont", "for", "from", "get", "got", "had", "has", "have", "having", "he", "her", "hers",
    "him", "his", "how", "i", "if", "im", "in", "into", "is", "it", "its", "ive", "me", "might",
    "more", "most", "my", "myself", "no", "of", "off", "on", "once", "only", "or", "our", "ours",
    "out", "over", "own", "really", "she", "should", "so", "some", "such", "than", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "those", "to", "too", "up", "us",
    "very", "was", "we", "were", "what", "when", "where", "which", "who", "whom", "why", "will",
    "with", "would", "yet", "you", "your", "yours",
})


_english_stem = stemmer_for_language("en")


def stem(word: str) -> str:
    """The English stem of a folded, lower-cased word."""
    return _english_stem(word)


# Short lists of the commonest function words where Whoosh has none, so that they do not
# outweigh the words that matter ("في" in, "من" from; Urdu "کے", "میں" postpositions).
EXTRA_STOP_WORDS = {
    "ar": ("في", "من", "على", "إلى", "الى", "عن", "مع", "هذا", "هذه", "ذلك", "التي", "الذي", "أو", "او",
           "و", "ما", "لا", "أن", "ان", "إن", "كان", "قد", "هو", "هي", "كل", "عند", "بعد", "قبل"),
    "ur": ("کے", "کی", "کا", "میں", "سے", "اور", "ہے", "ہیں", "کو", "پر", "نے", "یہ", "وہ", "بھی", "ایک",
           "لیے", "کہ", "تو", "ہو"),
    "bn": ("এবং", "ও", "এর", "এই", "যে", "কে", "থেকে", "করে", "হয়", "আর", "বা", "একটি"),
    "pl": ("i", "w", "z", "na", "do", "się", "jest", "o", "od", "po", "że", "lub", "oraz", "to", "ten", "ta",
           "czy", "a", "we", "ze", "są", "dla"),
    "ro": ("și", "din", "cu", "de", "la", "în", "pe", "sau", "care", "un", "o", "a", "al", "ai", "ale",
           "este", "sunt", "se", "să"),
    "so": ("iyo", "ee", "oo", "ka", "ku", "u", "waa", "ah", "ayaa", "aad"),
}


@cache
def stop_words(language: str) -> frozenset[str]:
    """Folded stop words of a language: ours for English, Whoosh's where it has them, else a few."""
    if language == "en":
        return STOP_WORDS
    words_of_language = set(EXTRA_STOP_WORDS.get(language, ()))
    if has_stopwords(language):
        words_of_language |= set(stopwords_for_language(language))
    return frozenset(fold(word.lower()) for word in words_of_language)


# Arabic light stemming (prefixes and suffixes, after Larkey's "light10"), written for folded
# words. Whoosh's own Arabic stemmer (ISRI) fails on Python 3.11.
_ARABIC_PREFIXES = ("وال", "بال", "کال", "فال", "لل", "ال")
_ARABIC_SUFFIXES = ("ها", "ان", "ات", "ون", "ین", "یه", "ه", "ی")


def arabic_light_stem(word: str) -> str:
    """Strip the article with an attached preposition, and common suffixes, keeping 3 letters."""
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            word = word[len(prefix):]
            break
    for suffix in _ARABIC_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[:-len(suffix)]
    return word


def _unchanged(word: str) -> str:
    return word


@cache
def stemmer(language: str):
    """The stemmer for a language's folded words; none where Whoosh has no working one."""
    if language == "en":
        return _english_stem
    if language == "ar":
        return arabic_light_stem
    if has_stemmer(language):
        return stemmer_for_language(language)
    return _unchanged


# Languages whose words are stemmed (the rest are only folded): checked by tests/test_analysis.py.
def is_stemmed(language: str) -> bool:
    return stemmer(language) is not _unchanged


class NormaliseFilter(Filter):
    """Lower-case, fold, drop stop words and optionally stem, in one pass, for one language.

    One filter instead of a chain of four, with the outcome for each distinct
    word cached, because indexing spends most of its time here. Words are
    folded before they are stemmed, so a word typed without its accents
    ("romana") stems like the written one ("română").
    """

    def __init__(self, stoplist=None, minsize: int = 2, stemming: bool = True, language: str = "en"):
        self.language = language
        self.stoplist = stop_words(language) if stoplist is None else stoplist
        self.minsize = minsize
        self.stemming = stemming
        self._cache: dict[str, str] = {}

    def __getstate__(self):
        # The schema (and so this filter) is pickled into the index: leave the cache out.
        state = dict(self.__dict__)
        state["_cache"] = {}
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.__dict__.setdefault("language", "en")
        self._cache = {}

    def normalise(self, word: str) -> str:
        """The indexed form of ``word``, or '' when it is dropped."""
        known = self._cache.get(word)
        if known is None:
            folded = fold(word.lower())
            if folded in self.stoplist or len(folded) < self.minsize:
                known = ""
            else:
                known = stemmer(self.language)(folded) if self.stemming else folded
            if len(self._cache) > 500_000:
                self._cache.clear()
            self._cache[word] = known
        return known

    def index_words(self, expression: re.Pattern, value: str) -> list[tuple[str, int, float]]:
        """The (text, position, boost) of each word of ``value`` as ``WordTokenizer(expression) |
        self`` indexes it, without a token stream: what indexing asks of every document's text."""
        found = []
        append, normalise = found.append, self.normalise
        position = dropped = 0
        for part in value.split(PART_SEPARATOR):
            boost, _, text = part.rpartition(BOOST_SEPARATOR)
            weight = float(boost) if boost else 1.0
            for word in expression.findall(text):
                indexed = normalise(word)
                if indexed:
                    append((indexed, position - dropped, weight))
                else:
                    dropped += 1
                position += 1
            position += PART_GAP
        return found

    def __call__(self, tokens):
        dropped = 0
        for token in tokens:
            text = self.normalise(token.text)
            if not text:
                dropped += 1
                continue
            token.text = text
            if token.positions:  # close the gaps dropped words leave, so phrases skip them
                token.pos -= dropped
            yield token


# A document's searchable text is several parts (title, keywords, summary...)
# of different weight, passed to the index as one string: each part is
# "<boost>\x1f<text>", parts are joined by "\x1e". Every word carries its
# part's boost, which Whoosh adds up into the term's weight, so one field
# (one posting list per word) does what a field per part would, at a
# fraction of the cost of matching and scoring.
PART_SEPARATOR = "\x1e"
BOOST_SEPARATOR = "\x1f"
PART_GAP = 10  # positions between parts, so a phrase never spans two parts


def weighted_text(parts) -> str:
    """Join (text, boost) pairs into the value :class:`WordTokenizer` reads."""
    clean = re.compile("[\x1e\x1f]")
    return PART_SEPARATOR.join(f"{boost}{BOOST_SEPARATOR}{clean.sub(' ', text)}"
                               for text, boost in parts if text)


class WordTokenizer(Tokenizer):
    """Words with their combining marks, each with the boost of its part of the text."""

    def __init__(self):
        self.expression = re.compile(WORD_PATTERN)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            token.pos, token.startchar, token.endchar = start_pos, start_char, start_char + len(value)
            yield token
            return
        position = start_pos
        offset = start_char
        for part in value.split(PART_SEPARATOR):
            boost, _, text = part.rpartition(BOOST_SEPARATOR)
            weight = float(boost) if boost else 1.0
            for match in self.expression.finditer(text):
                token.text = match.group(0)
                token.boost = weight
                token.stopped = False
                if keeporiginal:
                    token.original = token.text
                if positions:
                    token.pos = position
                if chars:
                    token.startchar, token.endchar = offset + match.start(), offset + match.end()
                position += 1
                yield token
            position += PART_GAP
            offset += len(part) + 1


def tokenizer():
    return WordTokenizer()


def english_analyzer():
    """For indexed English text: stop words dropped, words stemmed."""
    return tokenizer() | NormaliseFilter()


def language_analyzer(language: str):
    """For indexed text in ``language``: its stop words dropped, words stemmed where it has a stemmer."""
    return tokenizer() | NormaliseFilter(language=language)


# Joins the two words of a pair term (no word holds a space).
PAIR_SEPARATOR = " "


class PairFilter(Filter):
    """Each word joined to the word after it when that one is at the next position, at the first
    word's position: the terms of a text field's pair field. Words a part gap or a dropped stop
    word's renumbering keeps apart make no pair, exactly as a phrase would not match them."""

    def __call__(self, tokens):
        previous = at = None
        for token in tokens:
            text = token.text
            position = token.pos if token.positions else (at + 1 if at is not None else 0)
            if previous is not None and position == at + 1:
                token.text = previous + PAIR_SEPARATOR + text
                if token.positions:
                    token.pos = at
                yield token
            previous, at = text, position


class SharedTokens(Tokenizer):
    """``analyzer``'s tokens, kept for the last value indexed so that the next field given the same
    string replays them: a text field and its pair field index one string, which would otherwise
    be split, folded and stemmed twice for every document. Anything but indexing goes straight
    to ``analyzer``."""

    def __init__(self, analyzer):
        self.analyzer = analyzer
        self._last: tuple[str | None, list] = (None, [])

    def __getstate__(self):
        # The schema (and so this tokenizer) is pickled into the index: leave the tokens out.
        return {**self.__dict__, "_last": (None, [])}

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        if mode != "index" or chars or keeporiginal or not tokenize or start_pos:
            yield from self.analyzer(value, positions=positions, chars=chars, keeporiginal=keeporiginal,
                                     removestops=removestops, start_pos=start_pos, start_char=start_char,
                                     tokenize=tokenize, mode=mode, **kwargs)
            return
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for token.text, position, token.boost in self.words(value, removestops=removestops, **kwargs):
            if positions:
                token.pos = position
            yield token

    def words(self, value: str, **kwargs) -> list[tuple[str, int, float]]:
        """The (text, position, boost) of each word of ``value`` as indexed, kept for the next call."""
        last, found = self._last
        if last is not value:  # the same string object: the same document's text, for the other field
            found = index_words(self.analyzer, value, **kwargs)
            self._last = (value, found)
        return found


def _is_word_analyzer(analyzer) -> bool:
    parts = getattr(analyzer, "items", ())
    return len(parts) == 2 and type(parts[0]) is WordTokenizer and type(parts[1]) is NormaliseFilter


def makes_index_words(analyzer) -> bool:
    """Whether :func:`index_words` makes ``analyzer``'s words without a token stream."""
    return type(analyzer) is SharedTokens or _is_word_analyzer(analyzer)


def index_words(analyzer, value: str, **kwargs) -> list[tuple[str, int, float]]:
    """The (text, position, boost) of each word ``analyzer`` indexes in ``value``. For this
    module's analyzers (a :class:`WordTokenizer` and a :class:`NormaliseFilter`, or
    :class:`SharedTokens` of one) without a token stream, which indexing spent most of its
    analysis on: one tuple a word instead of a ``Token`` passed through two generators
    (``tests/test_analysis.py`` compares both). Their words do not depend on ``kwargs``
    (``removestops``, ``boosts``), which only another analyzer's token stream is given."""
    if type(analyzer) is SharedTokens:
        return analyzer.words(value, **kwargs)
    if _is_word_analyzer(analyzer):
        return analyzer.items[1].index_words(analyzer.items[0].expression, value)
    return [(token.text, token.pos, token.boost)
            for token in analyzer(value, positions=True, mode="index", **kwargs)]


def shared_analyzers(analyzer) -> tuple:
    """An analyzer for a text field and one for its pair field (:class:`PairFilter`), which analyse
    a document's text once between them (:class:`SharedTokens`)."""
    shared = SharedTokens(analyzer)
    return shared, shared | PairFilter()


def pairs_of_shared_words(analyzer) -> SharedTokens | None:
    """The :class:`SharedTokens` a pair field's ``analyzer`` (of :func:`shared_analyzers`) pairs
    the words of, or None for another analyzer."""
    parts = getattr(analyzer, "items", ())
    if len(parts) == 2 and type(parts[0]) is SharedTokens and type(parts[1]) is PairFilter:
        return parts[0]
    return None


def word_pairs(indexed: list[tuple[str, int, float]]) -> list[tuple[str, int]]:
    """(pair term, its position) for each of the indexed words (:func:`index_words`) followed by
    one at the next position: what :class:`PairFilter` makes of them."""
    return [(first + PAIR_SEPARATOR + second, at)
            for (first, at, _), (second, position, _) in pairwise(indexed) if position == at + 1]


def pair_positions(analyzer, value: str, **options) -> dict[str, list[int]]:
    """{pair term: its positions} in ``value``, as the pair field's ``analyzer`` makes them; for
    the analyzer of :func:`shared_analyzers`, made straight from the shared words (what
    :class:`PairFilter` does to them, without a token stream)."""
    found: dict[str, list[int]] = {}
    shared = pairs_of_shared_words(analyzer)
    if shared is not None and options.get("mode", "index") == "index":
        for pair, at in word_pairs(shared.words(value)):
            positions = found.get(pair)
            if positions is None:
                found[pair] = [at]
            else:
                positions.append(at)
        return found
    return _token_positions(analyzer(value, **{"mode": "index", **options, "positions": True}))


def _token_positions(tokens) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for token in tokens:
        positions = found.get(token.text)
        if positions is None:
            found[token.text] = [token.pos]
        else:
            positions.append(token.pos)
    return found


_POSITION = struct.Struct("<I")
_ONE_POSITION: dict[int, bytes] = {}


def encode_position(position: int) -> bytes:
    """One position as :func:`encode_positions` encodes it, the same ``bytes`` each time: a
    pair's positions in a document are their encoded positions joined."""
    value = _ONE_POSITION.get(position)
    if value is None:
        value = _ONE_POSITION[position] = _POSITION.pack(position)
    return value


def encode_positions(positions: list[int]) -> bytes:
    """A pair's positions in a document as 32-bit little-endian numbers. A pair is mostly in a
    document once: those values are made once and shared (a writer keeps a million of them)."""
    if len(positions) == 1:
        return encode_position(positions[0])
    return struct.pack(f"<{len(positions)}I", *positions)


def decode_positions(value: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(value) // 4}I", value)


class PairPositions(Format):
    """The postings format of a pair field: a pair's positions in a document, encoded by
    :func:`encode_positions` (Whoosh's ``Positions`` pickles a list of deltas for each posting,
    several times the work to write and to read). Every weight is 1: the field is not scored."""

    def word_values(self, value, analyzer, **kwargs):
        # Through the analyzer's tokens (PairFilter), where the index writer takes pair_positions()'
        # shortcut: tests/test_publish_parallel.py compares the two.
        tokens = analyzer(value, **{"mode": "index", **kwargs, "positions": True})
        for text, positions in _token_positions(tokens).items():
            yield text, len(positions), 1.0, encode_positions(positions)

    def decode_positions(self, value: bytes) -> list[int]:
        return list(decode_positions(value))

    def decode_frequency(self, value: bytes) -> int:
        return len(value) // 4

    def decode_weight(self, value: bytes) -> float:
        return 1.0


def pair_terms(words: list[str]) -> list[str]:
    """The pair terms of a phrase's analysed words, in order."""
    return [first + PAIR_SEPARATOR + second for first, second in pairwise(words)]


def spelling_analyzer(language: str = "en"):
    """Unstemmed words, the vocabulary "did you mean" picks corrections from."""
    return tokenizer() | NormaliseFilter(minsize=3, stemming=False, language=language)


def phrase_analyzer(language: str = "en"):
    """Stemmed words with stop words kept, for matching need synonyms in a query."""
    return tokenizer() | NormaliseFilter(stoplist=frozenset(), minsize=1, language=language)


def words(analyzer, text: str) -> list[str]:
    """The token texts ``analyzer`` makes of ``text``."""
    return [token.text for token in analyzer(text)]
