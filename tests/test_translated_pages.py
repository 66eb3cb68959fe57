"""Public pages in another language show the entries' translations, and say when they cannot."""

from __future__ import annotations

import json

import pytest

from .factories import write_service
from .translated_content import SERVICES, write_translated_content


@pytest.fixture
def content_dir(folders):
    """Translated content; incredible-years' English changes after its Spanish was made (stale)."""
    root = write_translated_content(folders["content"])
    english = next(fields for fields in SERVICES if fields["id"] == "incredible-years")
    write_service(root, {**english, "summary": "A 14-week group for parents of children aged 3 to 6."})
    return root


def note(soup):
    return soup.find(class_="translation-note")


def test_translated_service_page(page):
    soup = page("/pl/services/debt-advice")
    assert soup.find("html")["lang"] == "pl"
    heading = soup.find("h1")
    assert heading.get_text(strip=True) == "Porady dotyczące długów i zasiłków" and not heading.get("lang")
    assert soup.find(class_="lead").get_text(strip=True).startswith("Bezpłatne, poufne porady")
    assert "Pomagamy rodzinom" in soup.find(class_="prose").get_text()
    assert "Zadzwoń do nas" in soup.get_text() and "Poniedziałki od 10 do 13" in soup.get_text()
    assert note(soup) is None
    # Need labels in Polish where the taxonomy is translated.
    need_link = soup.find("a", href="/pl/search?need=money-debt")
    assert need_link.get_text(strip=True) == "Pieniądze, długi i zasiłki" and not need_link.get("lang")
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["inLanguage"] == "pl" and data["name"] == "Porady dotyczące długów i zasiłków"
    assert data["serviceType"] == ["Pieniądze, długi i zasiłki"]
    assert soup.title.get_text().endswith("Katalog wczesnej pomocy Testshire")


def test_untranslated_service_shows_english_marked_as_english(page):
    soup = page("/ar/services/stay-and-chat")
    assert soup.find("html")["lang"] == "ar" and soup.find("html")["dir"] == "rtl"
    heading = soup.find("h1")
    assert heading.get_text(strip=True) == "Stay and Chat speech drop-in"
    assert heading["lang"] == "en" and heading["dir"] == "ltr"
    assert soup.find(class_="lead")["lang"] == "en"
    assert soup.find(class_="prose")["lang"] == "en"
    assert note(soup) is not None and note(soup).find("a") is None
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["inLanguage"] == "en"


def test_stale_translation_is_shown_with_a_link_to_the_english(page):
    soup = page("/es/services/incredible-years")
    assert soup.find("h1").get_text(strip=True) == "Grupo para padres Incredible Years"
    assert not soup.find("h1").get("lang")
    link = note(soup).find("a")
    assert link["href"] == "/services/incredible-years" and link["hreflang"] == "en"


def test_translation_missing_an_optional_field_marks_that_field_english(page):
    # The Arabic translation of debt-advice has no how_to_access: that text stays English.
    soup = page("/ar/services/debt-advice")
    assert soup.find("h1").get_text(strip=True) == "نصائح بشأن الديون والإعانات"
    how = soup.find("p", string="Call us or fill in the form on our website.")
    assert how["lang"] == "en" and how["dir"] == "ltr"
    schedule = soup.find("dd", string="Mondays 10am to 1pm")
    assert schedule["lang"] == "en"


def test_english_pages_are_unchanged(page):
    soup = page("/services/debt-advice")
    assert soup.find("h1").get_text(strip=True) == "Debt and benefits advice"
    assert not soup.find("h1").get("lang") and note(soup) is None


def test_search_results_in_polish(page):
    soup = page("/pl/search?q=pieni%C4%85dze")
    cards = soup.find(id="results").find_all(class_="result-card")
    titles = [card.find("h2") for card in cards]
    assert [title.get_text(strip=True) for title in titles] == ["Porady dotyczące długów i zasiłków",
                                                                "Benefits check"]
    assert not titles[0].get("lang") and titles[1]["lang"] == "en"
    assert cards[0].find("a")["href"] == "/pl/services/debt-advice"
    assert cards[1].find(class_="tag") is not None and cards[0].find(class_="tag") is None


def test_filter_labels_and_home_taxonomy_in_the_reader_language(page):
    soup = page("/pl/search?need=money-debt")
    labels = [label.get_text(" ", strip=True) for label in soup.find_all("label")]
    assert any(label.startswith("Pieniądze, długi i zasiłki") for label in labels)
    home = page("/pl/")
    money = home.find("a", href="/pl/search?need=money-debt")
    assert money.get_text(strip=True) == "Pieniądze, długi i zasiłki" and not money.get("lang")
    speech = home.find("a", href="/pl/search?need=speech-language")
    assert speech.get_text(strip=True) == "Speech and language" and speech["lang"] == "en"
    assert "Punkt zgłoszeń dla dzieci" in home.find(class_="safeguarding").get_text()


def test_hub_pages(page):
    west = page("/pl/hubs/west")
    assert west.find("h1").get_text(strip=True) == "Centrum Zachodnie" and note(west) is None
    assert "O centrum." in west.find(class_="prose").get_text()
    east = page("/pl/hubs/east")
    assert east.find("h1")["lang"] == "en" and note(east) is not None


def test_content_pages(page):
    polish = page("/pl/pages/about")
    assert polish.find("h1").get_text(strip=True) == "O nas" and note(polish) is None
    arabic = page("/ar/pages/about")
    assert arabic.find("h1")["lang"] == "en" and note(arabic) is not None


def test_api_searches_in_the_language_asked_for(client):
    polish = client.get("/api/search?q=pieni%C4%85dze&lang=pl").get_json()
    assert polish["lang"] == "pl"
    first = polish["results"][0]
    assert first == {"id": "debt-advice", "title": "Porady dotyczące długów i zasiłków",
                     "summary": ("Bezpłatne, poufne porady w sprawie długów, rachunków i zasiłku "
                                 "Universal Credit."),
                     "url": "/pl/services/debt-advice", "language": "pl", "translation": "translated"}
    assert polish["results"][1]["translation"] == "missing"
    english = client.get("/api/search?q=yoga&lang=zz").get_json()
    assert english["lang"] == "en" and [hit["id"] for hit in english["results"]] == ["yoga-for-parents"]
    assert english["results"][0] == {"id": "yoga-for-parents", "title": "Yoga for parents",
                                     "summary": "Gentle yoga sessions for busy parents.",
                                     "url": "/services/yoga-for-parents"}
