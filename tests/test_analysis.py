"""Text analysis: words stay whole in every script, folding fits the script."""

from __future__ import annotations

import pytest

from app.search.analysis import (
    english_analyzer,
    fold,
    phrase_analyzer,
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
