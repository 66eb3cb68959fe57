"""What translations cost: publish time, release size and query time, without and with them.

    python -m bench.translations [--n 1000] [--runs 3] [--reps 30] [--tmp DIR]

Generates the synthetic content of ``bench.generate`` (n services), then a
copy offering the nine other languages of the sample site, with every
service, need and hub translated into each (synthetic text: sentences
composed from a few dozen real words of each language, so every script and
analyser is exercised), stamped so no translation is stale. Both folders are
published ``--runs`` times from scratch; the query mix of ``bench.run`` is
timed on both in English, and on the translated release in Polish, Arabic
and Bengali. Prints medians and the ratios with/without.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from app.content.yamlfile import dump_yaml

LANGUAGES = ["pl", "ro", "bn", "ur", "ar", "so", "tr", "pt", "es"]

# A few dozen everyday words per language, to compose sentences that analyse like real text.
WORDS = {
    "pl": ["pomoc", "rodzina", "dziecko", "dzieci", "rodzice", "wsparcie", "grupa",
           "pieniądze", "długi", "szkoła", "mowa", "zdrowie", "bezpłatne", "spotkanie",
           "porady", "dom", "jedzenie", "opieka", "młodzież", "zajęcia", "ośrodek", "telefon",
           "tydzień"],
    "ro": ["ajutor", "familie", "copil", "copiii", "părinți", "sprijin", "grup", "bani",
           "datorii", "școală", "vorbire", "sănătate", "gratuit", "întâlnire", "sfaturi",
           "casă", "mâncare", "îngrijire", "tineri", "activități", "centru", "telefon",
           "săptămână"],
    "bn": ["সাহায্য", "পরিবার", "শিশু", "শিশুদের", "বাবা-মা", "সহায়তা", "দল", "টাকা", "ঋণ",
           "স্কুল", "কথা", "স্বাস্থ্য", "বিনামূল্যে", "সভা", "পরামর্শ", "বাড়ি", "খাবার",
           "যত্ন", "তরুণ", "কার্যক্রম", "কেন্দ্র", "ফোন", "সপ্তাহ"],
    "ur": ["مدد", "خاندان", "بچہ", "بچوں", "والدین", "تعاون", "گروپ", "پیسہ", "قرض", "اسکول",
           "بات", "صحت", "مفت", "ملاقات", "مشورہ", "گھر", "کھانا", "دیکھ", "بھال", "نوجوان",
           "سرگرمیاں", "مرکز", "فون", "ہفتہ"],
    "ar": ["مساعدة", "الأسرة", "الطفل", "الأطفال", "الوالدين", "دعم", "مجموعة", "المال",
           "الديون", "المدرسة", "الكلام", "الصحة", "مجاني", "لقاء", "نصائح", "المنزل",
           "الطعام", "رعاية", "الشباب", "أنشطة", "المركز", "الهاتف", "الأسبوع"],
    "so": ["caawimaad", "qoys", "ilmo", "carruurta", "waalidiinta", "taageero", "koox",
           "lacag", "deyn", "iskuul", "hadal", "caafimaad", "bilaash", "kulan", "talo",
           "guri", "cunto", "daryeel", "dhalinyaro", "hawlo", "xarun", "telefoon",
           "toddobaad"],
    "tr": ["yardım", "aile", "çocuk", "çocuklar", "ebeveynler", "destek", "grup", "para",
           "borç", "okul", "konuşma", "sağlık", "ücretsiz", "toplantı", "tavsiye", "ev",
           "yemek", "bakım", "gençler", "etkinlikler", "merkez", "telefon", "hafta"],
    "pt": ["ajuda", "família", "criança", "crianças", "pais", "apoio", "grupo", "dinheiro",
           "dívidas", "escola", "fala", "saúde", "gratuito", "reunião", "conselhos", "casa",
           "comida", "cuidados", "jovens", "atividades", "centro", "telefone", "semana"],
    "es": ["ayuda", "familia", "niño", "niños", "padres", "apoyo", "grupo", "dinero",
           "deudas", "escuela", "habla", "salud", "gratuito", "reunión", "consejos", "casa",
           "comida", "cuidado", "jóvenes", "actividades", "centro", "teléfono", "semana"],
}
QUERIES = {"en": ["parenting group", "money worries", "speech therapy toddler", "food bank"],
           "pl": ["pieniądze", "grupa dla rodziców", "pomoc dzieci szkoła"],
           "ar": ["مساعدة الأطفال", "الديون", "دعم الأسرة"],
           "bn": ["শিশুদের সাহায্য", "বিনামূল্যে খাবার"]}


def sentence(rng: random.Random, language: str, words: int) -> str:
    chosen = [rng.choice(WORDS[language]) for _ in range(words)]
    return " ".join(chosen).capitalize() + "."


def _front_matter(path: Path, fields: dict, body: str) -> None:
    text = dump_yaml(fields, sort_keys=False, allow_unicode=True)
    path.write_text(f"---\n{text}---\n{body}\n", encoding="utf-8")


def add_translations(root: Path, seed: int = 1) -> None:
    """Offer every language and translate every service, need and hub into each, stamped."""
    from app.content import load_content
    from app.content.fingerprint import fingerprint

    site_path = root / "site.yml"
    site = yaml.safe_load(site_path.read_text(encoding="utf-8"))
    site["languages"] = ["en", *LANGUAGES]
    site_path.write_text(dump_yaml(site, sort_keys=False, allow_unicode=True), encoding="utf-8")
    content = load_content(root)
    rng = random.Random(seed)
    for language in LANGUAGES:
        for service in content.services.values():
            fields = {"source_fingerprint": fingerprint("services", service),
                      "title": sentence(rng, language, 5)[:-1], "summary": sentence(rng, language, 14)}
            if service.venues:
                fields["venues"] = [{"schedule": sentence(rng, language, 4)} for _ in service.venues]
            body = "\n\n".join(sentence(rng, language, 20) for _ in range(3))
            _front_matter(root / "services" / f"{service.id}.{language}.md", fields, body)
        for hub in content.hubs.values():
            _front_matter(root / "hubs" / f"{hub.id}.{language}.md",
                          {"source_fingerprint": fingerprint("hubs", hub),
                           "name": sentence(rng, language, 2)[:-1]},
                          sentence(rng, language, 30))
        needs = [{"id": need.id, "source_fingerprint": fingerprint("needs", need),
                  "label": sentence(rng, language, 3)[:-1],
                  "synonyms": [sentence(rng, language, 2)[:-1].lower() for _ in range(4)]}
                 for need in content.needs.values()]
        (root / "taxonomy" / f"needs.{language}.yml").write_text(
            dump_yaml(needs, sort_keys=False, allow_unicode=True), encoding="utf-8")


def folder_bytes(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def measure(content: Path, index_root: Path, runs: int, reps: int, languages: list[str]) -> dict:
    from app.publishing.publish import publish
    from app.publishing.releases import ReleaseStore
    from app.release.live import open_release
    from app.search.request import parse_request

    seconds = []
    for run in range(runs):
        index = index_root / f"run-{run}"
        started = time.perf_counter()
        publish(content, index, incremental=False)
        seconds.append(time.perf_counter() - started)
    release = ReleaseStore(index_root / "run-0").current()
    opened = open_release(release)
    engine = opened.engine
    query_ms = {}
    for language in languages:
        samples = []
        requests = [parse_request({"q": [text]}, engine.vocabulary, language) for text in QUERIES[language]]
        for request in requests:  # warm-up
            engine.search(request)
        for _ in range(reps):
            for request in requests:
                started = time.perf_counter()
                engine.search(request)
                samples.append(time.perf_counter() - started)
        query_ms[language] = statistics.median(samples) * 1000
    engine.close()
    return {"publish_s": statistics.median(seconds),
            "whoosh_mb": folder_bytes(release.path / "whoosh") / 1e6,
            "db_mb": (release.path / "directory.db").stat().st_size / 1e6,
            "query_ms": query_ms}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--tmp", type=Path, default=None)
    arguments = parser.parse_args(argv)

    from bench.generate import generate

    work = Path(tempfile.mkdtemp(prefix="bench-translations-", dir=arguments.tmp))
    try:
        plain, translated = work / "plain", work / "translated"
        generate(plain, arguments.n)
        shutil.copytree(plain, translated)
        started = time.perf_counter()
        add_translations(translated)
        print(f"Wrote {arguments.n} services x {len(LANGUAGES)} translations in "
              f"{time.perf_counter() - started:.1f}s")
        without = measure(plain, work / "index-plain", arguments.runs, arguments.reps, ["en"])
        with_them = measure(translated, work / "index-translated", arguments.runs, arguments.reps,
                            ["en", "pl", "ar", "bn"])
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def ratio(a: float, b: float) -> str:
        return f"{b / a:.2f}x" if a else "-"

    print(f"\n{arguments.n} services, medians of {arguments.runs} full publishes and {arguments.reps} "
          "passes over the query mix\n")
    print("| measure | English only | + 9 languages | ratio |")
    print("|---|---|---|---|")
    for key, label, unit in (("publish_s", "publish (full)", "s"), ("whoosh_mb", "Whoosh index", "MB"),
                             ("db_mb", "SQLite database", "MB")):
        print(f"| {label} | {without[key]:.2f} {unit} | {with_them[key]:.2f} {unit} | "
              f"{ratio(without[key], with_them[key])} |")
    english = without["query_ms"]["en"]
    for language, value in with_them["query_ms"].items():
        print(f"| query median, searched in {language} | {english:.2f} ms (en) | {value:.2f} ms | "
              f"{ratio(english, value)} |")


if __name__ == "__main__":
    main()
