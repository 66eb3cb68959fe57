"""Text analysis: words stay whole in every script, folding fits the script."""

from __future__ import annotations

import pytest

from app.search.analysis import (
    english_analyzer,
    fold,
    index_words,
    language_analyzer,
    pair_terms,
    phrase_analyzer,
    shared_analyzers,
    spelling_analyzer,
    weighted_text,
    words,
)


@pytest.mark.parametrize(("sentence", "expected"), [
    # Bengali: vowel signs and the virama are combining marks and must stay inside words.
    ("স্থানীয় পরিবারের জন্য বিনামূল্যে খাদ্য সহায়তা",
     ["স্থানীয়", "পরিবারের", "জন্য", "বিনামূল্যে", "খাদ্য", "সহায়তা"]),
    # Arabic with harakat: one token per word, vowel marks folded away.
    ("مُسَاعَدَةٌ لِلْعَائِلَاتِ فِي الْمَدِينَةِ", ["مساعده", "للعایلات", "فی", "المدینه"]),
    # Urdu, with the same letters normalised as Arabic.
    ("خاندانوں کی مدد کے لیے مفت کھانا", ["خاندانوں", "کی", "مدد", "کے", "لیے", "مفت", "کھانا"]),
])
def test_non_latin_words_are_kept_whole(sentence, expected):
    assert words(english_analyzer(), sentence) == expected


def test_latin_words_are_folded_and_english_stemmed():
    assert words(english_analyzer(), "Română Łódź counselling PARENTS won't") == [
        "romana", "lodz", "counsel", "parent", "wont"]
    assert fold("pieniądze") == "pieniadze"
    assert fold("straße") == "strasse"


def test_arabic_with_and_without_vowel_marks_fold_alike():
    assert fold("مُسَاعَدَة") == fold("مساعدة")
    assert fold("أطفال") == fold("اطفال")


def test_stop_words_dropped_for_search_but_kept_for_phrases():
    assert words(english_analyzer(), "he hits me") == ["hit"]
    assert words(phrase_analyzer(), "he hits me") == ["he", "hit", "me"]
    assert words(spelling_analyzer(), "speech therapy for toddlers") == ["speech", "therapy", "toddlers"]


def test_weighted_parts_carry_boosts_and_keep_phrases_apart():
    tokens = [(token.text, token.boost, token.pos) for token in english_analyzer()(
        weighted_text([("Food bank", 4.0), ("bank holiday", 1.0)]), positions=True)]
    assert [(text, boost) for text, boost, _ in tokens] == [
        ("food", 4.0), ("bank", 4.0), ("bank", 1.0), ("holiday", 1.0)]
    positions = [pos for _, _, pos in tokens]
    assert positions[1] == positions[0] + 1 and positions[2] > positions[1] + 1


def test_pairs_join_adjacent_words_across_stop_words_but_never_across_parts():
    text = weighted_text([("Speech and language therapy", 4.0), ("therapy group", 1.0)])
    words_analyzer, pairs_analyzer = shared_analyzers(english_analyzer())
    pairs = [(token.text, token.pos) for token in pairs_analyzer(text, positions=True, mode="index")]
    # "and" is dropped and the positions closed up, as a phrase query drops it; the parts stay apart.
    assert pairs == [("speech languag", 0), ("languag therapi", 1), ("therapi group", 13)]
    # The text field replays the words the pair field analysed (the same string), as they were.
    assert [(token.text, token.boost) for token in words_analyzer(text, mode="index")] == [
        ("speech", 4.0), ("languag", 4.0), ("therapi", 4.0), ("therapi", 1.0), ("group", 1.0)]
    assert words(words_analyzer, "Speech") == ["speech"]
    assert pair_terms(words(english_analyzer(), "speech and language therapy")) == [
        "speech languag", "languag therapi"]


@pytest.mark.parametrize("analyzer", [english_analyzer(), language_analyzer("ar"), language_analyzer("bn"),
                                      spelling_analyzer(), spelling_analyzer("pl"), phrase_analyzer()])
def test_index_words_are_the_token_streams_words(analyzer):
    """Indexing takes the words without a token stream (analysis.index_words): the same words,
    positions (gaps of dropped words closed, parts apart) and boosts as the analyzer's tokens."""
    texts = [weighted_text([("Speech and language: the speech group", 4.0), ("It's a won’t-miss café", 2.5),
                            ("", 3.0), ("Łódź Română ٠٢٠ مُسَاعَدَةٌ لِلْعَائِلَاتِ পরিবারের জন্য", 0.5)]),
             "plain words, no parts: of the and a", "1.0\x1fone part\x1e2.0\x1fthe boosted part", ""]
    for text in texts:
        expected = [(token.text, token.pos, token.boost)
                    for token in analyzer(text, positions=True, mode="index")]
        assert index_words(analyzer, text) == expected
        shared = shared_analyzers(analyzer)[0]
        assert index_words(shared, text) == expected and shared.words(text) == expected
    assert index_words(english_analyzer(), texts[0])[:3] == [("speech", 0, 4.0), ("languag", 1, 4.0),
                                                             ("speech", 2, 4.0)]


# -- per-language analysis ----------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "stemmed"), [
    ("en", True), ("es", True), ("pt", True), ("ro", True), ("ar", True),
    ("pl", False), ("so", False), ("bn", False), ("ur", False), ("tr", False),
])
def test_which_languages_are_stemmed(language, stemmed):
    from app.search.analysis import is_stemmed

    assert is_stemmed(language) is stemmed


@pytest.mark.parametrize(("language", "sentence", "expected"), [
    # Stemmed after folding, so a word typed without accents stems like the written one.
    ("ro", "Părinții și copiii vorbesc limba română", ["parint", "copii", "vorb", "limb", "roman"]),
    ("ro", "parintii romana", ["parint", "roman"]),
    ("es", "Ayuda para niños y familias con rabietas", ["ayud", "nin", "famili", "rabiet"]),
    ("pt", "Apoio às crianças e famílias", ["apoi", "crianc", "famil"]),
    # No stemmer: folded words, and a few stop words.
    ("pl", "Pieniądze, długi i zasiłki dla rodzin w Łodzi",
     ["pieniadze", "dlugi", "zasilki", "rodzin", "lodzi"]),
    ("tr", "Çocuklar ve aileler için ücretsiz destek", ["cocuklar", "aileler", "ucretsiz", "destek"]),
    ("so", "Caawimaad lacag la'aan ah oo loogu talagalay qoysaska",
     ["caawimaad", "lacag", "laaan", "loogu", "talagalay", "qoysaska"]),
    # Arabic: harakat and letter variants folded, the article and common suffixes stripped.
    ("ar", "ذَهَبَ الأطفالُ إلى المدرسة والمعلمون في الصفوف", ["ذهب", "اطفال", "مدرس", "معلم", "صفوف"]),
    ("ar", "العائلات للعائلات عائلات", ["عایل", "عایل", "عایل"]),
    # Urdu: words whole, postpositions dropped, no stemming.
    ("ur", "بچوں کے لیے مفت کھانا اور مدد", ["بچوں", "مفت", "کھانا", "مدد"]),
    # Bengali: words whole with their vowel signs; "and" dropped.
    ("bn", "স্থানীয় পরিবার এবং শিশুদের জন্য বিনামূল্যে খাদ্য",
     ["স্থানীয়", "পরিবার", "শিশুদের", "জন্য", "বিনামূল্যে", "খাদ্য"]),
])
def test_language_analyzers_on_real_sentences(language, sentence, expected):
    from app.search.analysis import language_analyzer

    assert words(language_analyzer(language), sentence) == expected


def test_digits_of_other_scripts_and_joiners_fold_to_what_families_type():
    assert fold("٠٢٠٧٩٤٦") == "0207946"  # Arabic-Indic
    assert fold("۰۲۰") == "020"  # Urdu / Persian
    assert fold("০২০") == "020"  # Bengali
    assert fold("می\u200cخواهم") == fold("میخواهم")
    assert fold("র\u200dযাব") == fold("রযাব")


def test_analyzers_pickle_without_their_word_cache():
    import pickle

    from app.search.analysis import language_analyzer

    analyzer = language_analyzer("es")
    assert words(analyzer, "familias") == ["famili"]
    copy = pickle.loads(pickle.dumps(analyzer))
    assert words(copy, "familias niños") == ["famili", "nin"]
    filters = [item for item in analyzer.items if hasattr(item, "_cache")]
    assert filters[0]._cache and "familias" not in pickle.dumps(analyzer).decode("latin-1")
