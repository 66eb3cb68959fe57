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
import unicodedata
from functools import lru_cache

from whoosh.analysis import Filter, Token, Tokenizer
from whoosh.lang import stemmer_for_language


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
    word = _APOSTROPHES.sub("", word)
    script = _script_of(word)
    if script == "latin":
        decomposed = unicodedata.normalize("NFKD", word.translate(_LATIN_SPECIALS))
        return "".join(char for char in decomposed if not unicodedata.combining(char))
    if script == "arabic":
        # Arabic and Urdu share a script: normalise both to the same letters.
        return _ARABIC_HARAKAT.sub("", unicodedata.normalize("NFC", word)).translate(_ARABIC_LETTERS)
    return unicodedata.normalize("NFC", word)


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


class NormaliseFilter(Filter):
    """Lower-case, fold, drop stop words and optionally stem, in one pass.

    One filter instead of a chain of four, with the outcome for each distinct
    word cached, because indexing spends most of its time here.
    """

    def __init__(self, stoplist=STOP_WORDS, minsize: int = 2, stemming: bool = True):
        self.stoplist = stoplist
        self.minsize = minsize
        self.stemming = stemming
        self._cache: dict[str, str] = {}

    def normalise(self, word: str) -> str:
        """The indexed form of ``word``, or '' when it is dropped."""
        known = self._cache.get(word)
        if known is None:
            folded = fold(word.lower())
            if folded in self.stoplist or len(folded) < self.minsize:
                known = ""
            else:
                known = _english_stem(folded) if self.stemming else folded
            if len(self._cache) > 500_000:
                self._cache.clear()
            self._cache[word] = known
        return known

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


def spelling_analyzer():
    """Unstemmed words, the vocabulary "did you mean" picks corrections from."""
    return tokenizer() | NormaliseFilter(minsize=3, stemming=False)


def phrase_analyzer():
    """Stemmed words with stop words kept, for matching need synonyms in a query."""
    return tokenizer() | NormaliseFilter(stoplist=frozenset(), minsize=1)


def words(analyzer, text: str) -> list[str]:
    """The token texts ``analyzer`` makes of ``text``."""
    return [token.text for token in analyzer(text)]
