"""A small content folder with translations in several languages, written as real sentences.

The translations are stamped (their fingerprints match the English), except
where a test makes one stale on purpose.
"""

from __future__ import annotations

from pathlib import Path

from app.content.fingerprint import fingerprint
from app.content.loader import load_content

from .factories import service, site, write_content, write_translation, write_yaml

LANGUAGES = ["en", "pl", "ar", "bn", "ro", "es"]

SERVICES = [
    service("debt-advice", title="Debt and benefits advice",
            summary="Free, confidential advice on debts, bills and Universal Credit.",
            needs=["money-debt"], ages={"min": 16, "max": 99}, hubs="all", delivery=["phone", "online"],
            how_to_access="Call us or fill in the form on our website.",
            venues=[{"name": "Central Library", "address": "1 High Road", "postcode": "N17 6BB",
                     "schedule": "Mondays 10am to 1pm", "accessibility": "Step-free access"}],
            contact={"phone": "020 7946 0300"}),
    service("benefits-check", title="Benefits check",
            summary="Find out which benefits your family can claim.",
            needs=["money-debt"], ages={"min": 16, "max": 99}, hubs="all"),
    service("stay-and-chat", title="Stay and Chat speech drop-in",
            summary="Drop in with your toddler and talk to a speech and language therapist.",
            needs=["speech-language"], ages={"min": 0, "max": 4}, hubs=["west"], access=["drop-in"]),
    service("incredible-years", title="Incredible Years parenting group",
            summary="A 14-week group for parents who want calmer days and fewer tantrums.",
            needs=["parenting"], ages={"min": 3, "max": 6}, hubs=["west"]),
    service("yoga-for-parents", title="Yoga for parents", summary="Gentle yoga sessions for busy parents.",
            needs=["parenting"], ages={"min": 0, "max": 99}, hubs=["east"]),
    service("relaxation-class", title="Relaxation class for mums",
            summary="Breathing and stretching for mothers of young children.",
            needs=["parenting"], ages={"min": 0, "max": 5}, hubs=["east"]),
]

BODIES = {
    "debt-advice": "We help families who are struggling with money.",
    "stay-and-chat": "Sessions are held in English and Romanian.",
}

SERVICE_TRANSLATIONS = {
    ("debt-advice", "pl"): ({
        "title": "Porady dotyczące długów i zasiłków",
        "summary": "Bezpłatne, poufne porady w sprawie długów, rachunków i zasiłku Universal Credit.",
        "how_to_access": "Zadzwoń do nas lub wypełnij formularz na naszej stronie.",
        "venues": [{"schedule": "Poniedziałki od 10 do 13", "accessibility": "Dostęp bez schodów"}],
    }, "Pomagamy rodzinom, które mają problemy z pieniędzmi."),
    ("debt-advice", "ar"): ({
        "title": "نصائح بشأن الديون والإعانات",
        "summary": "نصائح مجانية وسرية بشأن الديون والفواتير والإعانات.",
    }, "نساعد العائلات التي تواجه مشاكل مالية."),
    ("debt-advice", "es"): ({
        "title": "Asesoramiento sobre deudas y prestaciones",
        "summary": "Asesoramiento gratuito y confidencial sobre deudas, facturas y ayudas.",
    }, "Ayudamos a las familias que tienen problemas de dinero."),
    ("stay-and-chat", "bn"): ({
        "title": "কথা বলা ও ভাষা ড্রপ-ইন",
        "summary": "আপনার ছোট শিশুকে নিয়ে আসুন এবং একজন স্পিচ থেরাপিস্টের সাথে কথা বলুন।",
    }, "স্থানীয় পরিবারের জন্য বিনামূল্যে সহায়তা।"),
    ("stay-and-chat", "ro"): ({
        "title": "Grup de vorbire pentru copiii mici",
        "summary": "Veniți cu copilul și vorbiți cu un logoped despre vorbirea copiilor.",
    }, "Sesiunile se țin în limba engleză și în limba română."),
    ("incredible-years", "es"): ({
        "title": "Grupo para padres Incredible Years",
        "summary": "Un grupo de 14 semanas para padres que quieren días más tranquilos y menos rabietas.",
    }, "Los padres aprenden juntos a manejar las rabietas."),
    ("incredible-years", "ro"): ({
        "title": "Grup pentru părinți Incredible Years",
        "summary": "Un grup de 14 săptămâni pentru părinții care își doresc zile mai liniștite.",
    }, "Părinții învață împreună."),
    ("relaxation-class", "es"): ({
        "title": "Clase de yoga para madres",
        "summary": "Respiración y estiramientos para madres de niños pequeños.",
    }, "Sesiones tranquilas de yoga."),
}

NEED_TRANSLATIONS = {
    "pl": [{"id": "money-debt", "label": "Pieniądze, długi i zasiłki",
            "description": "Pomoc z rachunkami, długami i zasiłkami.",
            "synonyms": ["pieniądze", "komornik", "nie mam na czynsz"]},
           {"id": "parenting", "label": "Rodzicielstwo", "description": "Wsparcie dla rodziców."}],
    "ar": [{"id": "money-debt", "label": "المال والديون والإعانات",
            "description": "مساعدة في الفواتير والديون.", "synonyms": ["مشاكل مالية", "ديون"]}],
    "es": [{"id": "money-debt", "label": "Dinero, deudas y prestaciones", "description": "Ayuda con dinero.",
            "synonyms": ["no puedo pagar el alquiler"]}],
}


def write_translated_content(root: Path) -> Path:
    """Write the folder, stamp every translation, and return it."""
    write_content(root, SERVICES, bodies=BODIES, site=site(LANGUAGES))
    content = load_content(root)
    for (service_id, language), (fields, body) in SERVICE_TRANSLATIONS.items():
        stamp = fingerprint("services", content.services[service_id])
        write_translation(root, "services", service_id, language, {"source_fingerprint": stamp, **fields},
                          body)
    for language, terms in NEED_TRANSLATIONS.items():
        write_yaml(root / "taxonomy" / f"needs.{language}.yml",
                   [{"source_fingerprint": fingerprint("needs", content.needs[term["id"]]), **term}
                    for term in terms])
    write_translation(root, "hubs", "west", "pl",
                      {"source_fingerprint": fingerprint("hubs", content.hubs["west"]),
                       "name": "Centrum Zachodnie"}, "O centrum.")
    write_translation(root, "pages", "about", "pl",
                      {"source_fingerprint": fingerprint("pages", content.pages["about"]), "title": "O nas"},
                      "O tym katalogu.")
    write_yaml(root / "site.pl.yml", {"source_fingerprint": fingerprint("site", content.site),
                                      "name": "Katalog wczesnej pomocy Testshire",
                                      "front_door": {"name": "Punkt zgłoszeń dla dzieci"}})
    return root
