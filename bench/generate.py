"""Write a synthetic but realistic content folder for benchmarks.

    python -m bench.generate DIR --n 1000 [--seed 1]

The folder passes ``earlyhelp check``: site.yml, a taxonomy of 22 needs (with
the synonyms families type), the 7 age bands and 4 levels, 8 hubs covering
separate postcode districts, about n/20 organisations and n published
services composed from early-help vocabulary (programmes, activities,
places, needs), with varied ages, levels, hubs, access routes, delivery,
languages, venues and evidence ratings.

Output is deterministic for a given (seed, n, today): ``last_reviewed`` dates
are drawn from the year before ``today`` so that no entry is overdue or in
the future whenever the benchmark runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
from pathlib import Path

import yaml


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    def ignore_aliases(self, data) -> bool:  # content refuses aliases: write shared values out in full
        return True


SITE = {
    "name": "Benchshire Early Help Directory",
    "council": "Benchshire Borough Council",
    "default_language": "en",
    "languages": ["en"],
    "front_door": {"name": "Children's Front Door (MASH)", "phone": "020 7946 0100",
                   "email": "frontdoor@example.org", "website": "https://example.org/worried-about-a-child"},
    "emergency": "If a child is in immediate danger, call 999.",
    "quick_exit_url": "https://www.bbc.co.uk/weather",
    "review_months": 12,
}

# id, label, description, synonyms, typical ages (min, max, pregnancy), typical levels,
# activities (what services for this need are called).
NEEDS = [
    ("parenting", "Parenting support", "Courses, groups and one-to-one help for parents and carers.",
     ["parenting course", "parenting class", "parenting group", "struggling as a parent",
      "positive parenting",
      "setting boundaries", "single parent", "kinship carer", "dads group"],
     [(0, 12, False), (2, 12, False), (11, 18, False), (0, 99, False)], [1, 2, 3],
     ["parenting group", "parenting course", "one-to-one parenting support", "dads' group",
      "parent peer support",
      "parenting workshop"]),
    ("behaviour", "Children's behaviour", "Help when a child's behaviour is hard to manage.",
     ["tantrums", "temper tantrums", "challenging behaviour", "naughty", "wont listen", "meltdowns",
      "defiant"],
     [(2, 11, False), (3, 6, False), (6, 15, False)], [2, 3],
     ["behaviour clinic", "sleep and behaviour drop-in", "calmer days workshop", "behaviour support"]),
    ("speech-language", "Speech, language and communication",
     "Help for children who find it hard to talk or understand.",
     ["salt", "speech therapy", "toddler not talking", "late talker", "speech delay", "stammer", "bilingual"],
     [(0, 5, False), (1, 4, False), (2, 11, False)], [1, 2, 3],
     ["speech and language drop-in", "chatter club", "talk and play group", "early language sessions",
      "speech and language therapy"]),
    ("send", "Special educational needs and disabilities (SEND)",
     "Advice and support for children with SEND.",
     ["autism", "autistic", "adhd", "ehcp", "ehc plan", "sen support", "special needs", "learning disability",
      "dyslexia", "neurodivergent", "waiting for a diagnosis"],
     [(0, 25, False), (0, 5, False), (5, 18, False), (16, 25, False)], [2, 3, 4],
     ["SEND information and advice", "autism parent support group", "ADHD parent workshop",
      "short breaks club",
      "sensory play session", "Portage home visiting"]),
    ("emotional-health", "Emotional health and wellbeing",
     "Support with worry, low mood, stress and mental health.",
     ["anxiety", "anxious", "low mood", "depression", "self harm", "counselling", "talking therapy",
      "mental health", "cant cope", "panic attacks", "lonely"],
     [(11, 18, False), (5, 11, False), (16, 25, False), (18, 99, False)], [1, 2, 3, 4],
     ["counselling service", "wellbeing group", "mental health drop-in", "talking therapy", "peer mentoring",
      "mindfulness course"]),
    ("school-attendance", "School attendance",
     "Help when a child is missing school or finding it hard to go.",
     ["wont go to school", "school refusal", "school avoidance", "ebsa", "truancy", "persistent absence",
      "exclusion", "missing school"],
     [(5, 16, False), (11, 16, False)], [2, 3],
     ["attendance support", "school return programme", "school avoidance support", "inclusion mentoring"]),
    ("domestic-abuse", "Domestic abuse",
     "Safe, confidential help for anyone harmed by a partner or family member.",
     ["domestic violence", "abusive relationship", "controlling partner", "coercive control",
      "scared of my partner", "honour based abuse", "forced marriage", "stalking"],
     [(0, 99, False), (4, 16, False), (16, 99, False)], [2, 3, 4],
     ["domestic abuse support", "Freedom Programme group", "children's recovery group", "IDVA service",
      "safety planning advice", "Own My Life course"]),
    ("drugs-alcohol", "Drugs and alcohol",
     "Help for anyone who uses drugs or alcohol, and for their families.",
     ["drugs", "alcohol", "drinking too much", "weed", "cannabis", "vaping", "addiction", "substance misuse"],
     [(11, 25, False), (18, 99, False), (8, 18, False)], [2, 3, 4],
     ["young people's drug and alcohol service", "family recovery support", "hidden harm group",
      "alcohol advice clinic"]),
    ("money-debt", "Money, debt and benefits", "Help with bills, debts, benefits and managing money.",
     ["money worries", "money problems", "debt", "in debt", "cant pay bills", "rent arrears", "bailiffs",
      "universal credit", "benefits", "cost of living", "energy bills"],
     [(16, 99, False), (0, 99, False)], [1, 2],
     ["debt advice", "benefits check", "money advice surgery", "cost of living help", "energy advice",
      "budgeting course"]),
    ("housing", "Housing and homelessness", "Advice when you are homeless or at risk of losing your home.",
     ["homeless", "homelessness", "eviction", "kicked out", "sofa surfing", "temporary accommodation",
      "overcrowded", "damp", "mould"],
     [(16, 99, False), (16, 25, False)], [2, 3, 4],
     ["housing advice", "homelessness prevention", "tenancy support", "young people's housing service"]),
    ("work-training", "Work, training and education",
     "Help into jobs, apprenticeships, training and adult learning.",
     ["job", "jobs", "looking for work", "unemployed", "neet", "apprenticeship", "training course", "college",
      "cv", "esol", "english classes", "careers advice"],
     [(16, 25, False), (16, 99, False), (19, 99, False)], [1, 2],
     ["employment support", "ESOL classes", "apprenticeship advice", "CV workshop", "adult learning course",
      "careers coaching"]),
    ("young-carers", "Young carers", "Support for children who look after someone at home.",
     ["young carer", "young adult carer", "caring for mum", "caring for dad", "looking after my brother",
      "carer break"],
     [(5, 18, False), (8, 18, False), (16, 25, False)], [1, 2, 3],
     ["young carers club", "young carers assessment", "young adult carers group",
      "young carers holiday trips"]),
    ("youth-crime-exploitation", "Youth crime, violence and exploitation",
     "Help for young people at risk of exploitation or crime.",
     ["gangs", "county lines", "exploitation", "criminal exploitation", "grooming", "knife crime",
      "youth offending", "antisocial behaviour", "going missing", "peer pressure"],
     [(10, 18, False), (12, 25, False)], [2, 3, 4],
     ["youth outreach", "exploitation support", "knife crime mentoring", "detached youth work",
      "turnaround programme"]),
    ("bereavement", "Bereavement and loss", "Support after someone important has died.",
     ["bereavement", "bereaved", "grief", "grieving", "death", "lost a parent", "baby loss", "miscarriage",
      "funeral"],
     [(0, 99, False), (4, 18, False)], [1, 2, 3],
     ["bereavement support", "grief group", "memory day", "baby loss support", "bereavement counselling"]),
    ("young-parents", "Young parents", "Help for parents and parents-to-be aged 24 and under.",
     ["young mum", "young dad", "teenage mum", "teen mum", "teenage pregnancy", "pregnant teenager"],
     [(0, 2, True), (0, 5, True)], [1, 2, 3],
     ["young parents group", "teen parents drop-in", "young dads' project"]),
    ("food-essentials", "Food and essentials",
     "Food banks, food clubs and help with clothes, nappies and fuel.",
     ["food bank", "foodbank", "food parcel", "cant afford food", "hungry", "free school meals",
      "food vouchers", "nappies", "school uniform", "fuel vouchers", "hardship fund"],
     [(0, 99, False), (0, 99, True), (5, 16, False)], [1, 2],
     ["food bank", "community pantry", "food club", "baby bank", "school uniform exchange",
      "holiday food and activities", "community fridge"]),
    ("family-conflict", "Family relationships and conflict", "Help when family relationships are strained.",
     ["arguing", "parents arguing", "relationship problems", "separation", "separated parents", "divorce",
      "co-parenting", "family breakdown", "family mediation"],
     [(0, 18, False), (11, 18, False), (0, 99, False)], [2, 3],
     ["family mediation", "reducing parental conflict course", "family group conference",
      "relationship support", "family therapy"]),
    ("pregnancy-babies", "Pregnancy and babies", "Support from pregnancy through the first years.",
     ["pregnant", "pregnancy", "expecting a baby", "antenatal", "midwife", "newborn", "new baby",
      "breastfeeding", "weaning", "baby sleep", "postnatal depression"],
     [(0, 1, True), (0, 2, True), (0, 2, False)], [1, 2, 3],
     ["antenatal class", "baby massage", "breastfeeding support", "stay and play", "bump to baby group",
      "health visitor clinic", "weaning workshop"]),
    ("childcare-early-education", "Childcare and early education",
     "Finding childcare, free early education and getting ready for school.",
     ["childcare", "nursery", "childminder", "free childcare", "free hours", "30 hours", "preschool",
      "school readiness", "after school club"],
     [(0, 5, False), (2, 4, False), (3, 5, False)], [1, 2],
     ["free childcare advice", "nursery place finder", "school readiness sessions", "rhyme time",
      "messy play"]),
    ("activities-youth", "Things to do and youth activities", "Clubs, activities, sport and holiday schemes.",
     ["things to do", "youth club", "holiday club", "summer holidays", "half term", "sport", "football",
      "music", "bored", "somewhere to go"],
     [(8, 18, False), (11, 19, False), (5, 11, False)], [1, 2],
     ["youth club", "holiday club", "football sessions", "music project", "Duke of Edinburgh award group",
      "girls' group", "boxing club"]),
    ("physical-health", "Physical health and development",
     "Health checks, healthy eating, growth and continence.",
     ["health check", "immunisations", "healthy eating", "bedwetting", "toilet training", "potty training",
      "asthma", "eczema", "sleep problems", "teeth"],
     [(0, 5, False), (5, 18, False), (0, 18, False)], [1, 2],
     ["healthy eating course", "school nursing drop-in", "toilet training clinic", "child health clinic"]),
    ("care-leavers", "Care leavers and children in care",
     "Support for young people who are or were looked after.",
     ["care leaver", "leaving care", "looked after child", "in care", "care experienced", "foster care",
      "personal adviser", "pathway plan"],
     [(16, 25, False), (11, 18, False)], [3, 4],
     ["care leavers hub", "leaving care drop-in", "independent living skills course"]),
]

AGE_BANDS = [
    {"id": "pregnancy", "label": "Pregnancy", "pregnancy": True},
    {"id": "0-2", "label": "0 to 2 years", "min": 0, "max": 2},
    {"id": "3-5", "label": "3 to 5 years", "min": 3, "max": 5},
    {"id": "6-11", "label": "6 to 11 years", "min": 6, "max": 11},
    {"id": "12-15", "label": "12 to 15 years", "min": 12, "max": 15},
    {"id": "16-18", "label": "16 to 18 years", "min": 16, "max": 18},
    {"id": "19-25", "label": "19 to 25 years (SEND or care leavers)", "min": 19, "max": 25},
]

LEVELS = [
    {"id": 1, "label": "No additional needs", "description": "Universal services open to everyone."},
    {"id": 2, "label": "Early help", "description": "Additional needs met by one or two services."},
    {"id": 3, "label": "Complex needs", "description": "A coordinated multi-agency plan."},
    {"id": 4, "label": "Acute / specialist", "description": "Specialist or statutory help."},
]

# Hubs cover separate postcode districts (none contains another).
HUBS = [
    ("north", "North", ["N11", "N13"], ["Bounds Green", "Palmers Vale"]),
    ("north-east", "North East", ["N18", "N9"], ["Edmonton Green", "Angel Marsh"]),
    ("east", "East", ["N17", "E17"], ["Northumberland Park", "Tottenham Hale", "Markhouse"]),
    ("east-central", "East Central", ["N15", "N16"], ["Seven Sisters", "Stamford Rise"]),
    ("central", "Central", ["N22", "N4"], ["Wood Green", "Harringay", "Noel Park"]),
    ("south", "South", ["N1", "N7"], ["Highbury", "Holloway", "Barnsbury"]),
    ("south-west", "South West", ["N6", "NW5"], ["Highgate", "Kentish Vale"]),
    ("west", "West", ["N8", "N10"], ["Hornbeam", "Crouch Vale", "Muswell Rise"]),
]

PLACE_NAMES = ["Brook", "Hornbeam", "Stroud Vale", "Hillside", "Fortis", "Marsh Lane", "Bruce Grove",
               "Lordship", "Chestnut", "Rowan", "Willow", "Alexandra", "Priory", "Stonebridge", "Kingfisher",
               "Woodside", "Park View", "Millfield", "Ashley", "Riverside", "Coleraine", "Tiverton",
               "Somerford", "Broadwater", "Northbank", "Elmhurst", "Cedar", "Wightman", "Campsbourne",
               "Rokesly", "Highfield", "St Ann's", "Harmony", "Pembury", "Welbourne", "Downhills"]
PLACE_KINDS = ["Children's Centre", "Library", "Community Centre", "Family Hub", "Youth Centre",
               "Primary School", "Health Centre", "Leisure Centre", "Community Hall", "Baptist Church Hall",
               "Mosque Community Room", "Academy", "Adventure Playground", "Community Kitchen"]
STREETS = ["High Road", "Station Road", "Church Lane", "Park Avenue", "Mill Street", "Green Lanes",
           "Victoria Road", "Albert Road", "Grove Road", "Market Street", "Bridge Street", "Elm Road"]

PROGRAMMES = {
    "parenting": ["Incredible Years", "Triple P", "Family Links Nurturing Programme", "Mellow Parenting",
                  "Empowering Parents Empowering Communities", "Solihull Approach", "Talking Teens"],
    "behaviour": ["Incredible Years", "Triple P", "Webster-Stratton"],
    "speech-language": ["Early Talk Boost", "Chatterbox", "Let's Talk", "ELKLAN", "Talk Boost"],
    "send": ["Cygnet", "EarlyBird", "Portage", "Stepping Stones Triple P"],
    "emotional-health": ["Mind Matters", "Kooth", "Place2Be", "Youth Mental Health First Aid",
                         "Think Good Feel Good"],
    "domestic-abuse": ["Freedom Programme", "Safe and Together", "Caring Dads", "Own My Life"],
    "family-conflict": ["Parents as Partners", "Family Transitions Triple P", "Strengthening Families"],
    "pregnancy-babies": ["Baby Steps", "Family Nurse Partnership", "Bump Start", "Home-Start"],
}
AUDIENCES = ["parents", "families", "young people", "children", "carers", "dads", "mums", "teenagers",
             "grandparents and kinship carers"]
ORG_KINDS = ["Family Trust", "Youth Service", "Citizens Advice", "Foodbank", "Women's Aid",
             "Children's Charity", "Community Partnership", "NHS Community Services", "Mind", "Carers Centre",
             "Housing Options", "Early Help Service", "Schools Partnership", "Youth Justice Service",
             "Recovery Partnership", "Home-Start", "Adult Learning Service", "Library Service"]
LANGUAGE_SETS = [["en", "pl"], ["en", "bn"], ["en", "pl", "bn"], ["en", "tr"], ["en", "so"], ["en", "ur"],
                 ["en", "ar"], ["en", "ro"], ["en", "pt", "es"], ["en", "tr", "ku"], ["en", "bn", "ur"],
                 ["en", "ar", "so"], ["en", "lt", "ro", "pl"], ["en", "sq"]]
# Short sentences in other languages, added to the body of services delivered in them.
FOREIGN = {
    "pl": "Rozmawiamy po polsku. Zapraszamy rodziców i dzieci na bezpłatne spotkania.",
    "bn": "আমরা বাংলায় কথা বলি। স্থানীয় পরিবারের জন্য বিনামূল্যে সহায়তা।",
    "tr": "Türkçe konuşuyoruz. Aileler için ücretsiz destek.",
    "so": "Waxaan ku hadalnaa Af-Soomaali. Taageero bilaash ah oo loogu talagalay qoysaska.",
    "ur": "ہم اردو بولتے ہیں۔ خاندانوں کے لیے مفت مدد۔",
    "ar": "نتحدث العربية. دعم مجاني للعائلات المحلية.",
    "ro": "Vorbim limba română. Sprijin gratuit pentru familii.",
    "pt": "Falamos português. Apoio gratuito para famílias.",
    "es": "Hablamos español. Apoyo gratuito para las familias.",
    "lt": "Kalbame lietuviškai. Nemokama pagalba šeimoms.",
    "sq": "Flasim shqip. Mbështetje falas për familjet.",
    "ku": "Em bi kurdî diaxivin. Piştgiriya belaş ji bo malbatan.",
}
SCHEDULES = ["Mondays 9:30am to 11:30am, term time", "Tuesdays 1pm to 3pm", "Wednesdays 4pm to 6pm",
             "Thursdays 10am to 12pm, term time", "Fridays 9am to 12pm", "Saturdays 10am to 1pm",
             "Every weekday 9am to 5pm", "First Tuesday of the month, 6pm to 8pm", "Daily in school holidays"]
ACCESSIBILITY = ["Step-free access, accessible toilet", "Step-free access, baby changing",
                 "Lift to first floor, hearing loop", "Ground floor, quiet room available",
                 "Step-free access, creche", "Accessible parking, step-free entrance"]
COSTS = ["£2 per session, free for families on benefits", "£5 a week; ask about a free place",
         "£20 for the course, bursaries available", "£1 a session towards snacks",
         "Food club membership £3.50 a week for about £15 of food"]
EVIDENCE = ["2", "2+", "3", "3+", "3*", "4", "4+", "NL2"]

OPENERS = [
    "{Title} is for {audience} living or studying in the borough.",
    "We run {activity} sessions for {audience} who would like some extra support.",
    "{Title} offers friendly, confidential help for {audience}.",
    "Come along to {activity} at {place}: you do not need to book for your first visit.",
    "This {activity} is run by {organisation} with local volunteers and early help practitioners.",
]
MIDDLES = [
    "A trained practitioner listens first and agrees a plan with you, so the help fits your family.",
    "Sessions are relaxed and practical, with time to talk to other {audience} who understand.",
    "We can help with {need_phrase}, and we can put you in touch with other services if you need them.",
    "Many families come to us worried about {need_phrase}; you will not be judged.",
    "You can bring your children; there is a creche for under fives at most sessions.",
    "Our team includes family support workers, youth workers and volunteers trained in {activity}.",
    "If English is not your first language we can book an interpreter.",
    "We work closely with health visitors, schools, the Early Help Hub and children's social care.",
    "Support usually lasts between six and twelve weeks, and you can come back later if things change.",
    "The {programme} approach is used in many councils and has been evaluated with local families.",
]
CLOSERS = [
    "To find out more, call us or ask your health visitor, school or GP to refer you.",
    "You can refer yourself online; a professional can also refer with your agreement.",
    "Drop in during the session times or phone the hub to talk it through first.",
    "If a child is at risk of harm, contact the Children's Front Door straight away.",
    "Everything you tell us is confidential unless someone is at risk of serious harm.",
]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")


def _front_matter(path: Path, fields: dict, body: str) -> None:
    text = yaml.dump(fields, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000)
    path.write_text(f"---\n{text}---\n{body}\n", encoding="utf-8")


def _postcode(rng: random.Random, district: str) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"{district} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def _phone(rng: random.Random) -> str:
    return f"020 7946 0{rng.randint(0, 999):03d}"


def _write_taxonomy(root: Path) -> None:
    taxonomy = root / "taxonomy"
    taxonomy.mkdir(parents=True, exist_ok=True)
    needs = [{"id": need_id, "label": label, "description": description, "synonyms": synonyms}
             for need_id, label, description, synonyms, *_ in NEEDS]
    for name, data in (("needs.yml", needs), ("age-bands.yml", AGE_BANDS), ("levels.yml", LEVELS)):
        (taxonomy / name).write_text(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True),
                                     encoding="utf-8")


def generate(root: Path, n: int, seed: int = 1, today: dt.date | None = None) -> Path:
    """Write a content folder with ``n`` published services to ``root``; returns ``root``."""
    root = Path(root)
    today = today or dt.date.today()
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yml").write_text(yaml.dump(SITE, Dumper=_Dumper, sort_keys=False), encoding="utf-8")
    _write_taxonomy(root)

    hubs_dir = root / "hubs"
    hubs_dir.mkdir(exist_ok=True)
    for hub_id, name, covers, wards in HUBS:
        _front_matter(hubs_dir / f"{hub_id}.md", {
            "id": hub_id, "name": f"{name} Early Help Hub",
            "address": f"{rng.choice(PLACE_NAMES)} Family Hub, {rng.randint(1, 200)} {rng.choice(STREETS)}",
            "postcode": _postcode(rng, covers[0]), "phone": _phone(rng), "email": f"{hub_id}.hub@example.org",
            "covers": covers, "wards": wards, "opening_hours": "Monday to Friday 9am to 5pm",
        }, f"The {name} Early Help Hub covers {' and '.join(covers)}. Drop in or phone to talk in confidence "
           "about anything that worries you: speech, behaviour, money, a teenager, caring for a relative.")

    # Places (venues) belong to a hub and have a postcode in one of its districts.
    places = []
    for index in range(max(40, n // 25)):
        hub_id, _, covers, _ = HUBS[index % len(HUBS)]
        kind = PLACE_KINDS[(index * 7 + index // 36) % len(PLACE_KINDS)]
        name = f"{PLACE_NAMES[index % len(PLACE_NAMES)]} {kind}"
        places.append({"name": name, "address": f"{rng.randint(1, 300)} {rng.choice(STREETS)}, Benchshire",
                       "postcode": _postcode(rng, rng.choice(covers)), "hub": hub_id})

    orgs_dir = root / "organisations"
    orgs_dir.mkdir(exist_ok=True)
    organisations = []
    for index in range(max(5, n // 20)):
        name = f"{rng.choice(PLACE_NAMES)} {ORG_KINDS[index % len(ORG_KINDS)]}"
        org_id = f"{slugify(name)}-{index + 1}"
        fields = {"id": org_id, "name": name, "website": f"https://example.org/organisations/{org_id}"}
        if rng.random() < 0.7:
            fields["phone"] = _phone(rng)
        if rng.random() < 0.5:
            fields["email"] = f"info@{org_id}.example.org"
        _front_matter(orgs_dir / f"{org_id}.md", fields,
                      f"{name} works with children, young people and families across Benchshire. "
                      f"We run {rng.choice(NEEDS)[6][0]} and {rng.choice(NEEDS)[6][0]} sessions.")
        organisations.append((org_id, name))

    pages_dir = root / "pages"
    pages_dir.mkdir(exist_ok=True)
    _front_matter(pages_dir / "about.md", {"title": "About this directory"},
                  "This directory lists early help services in Benchshire.")

    services_dir = root / "services"
    services_dir.mkdir(exist_ok=True)
    for index in range(n):
        fields, body = _service(rng, index, today, places, organisations)
        _front_matter(services_dir / f"{fields['id']}.md", fields, body)
    return root


def _service(rng: random.Random, index: int, today: dt.date, places: list[dict],
             organisations: list[tuple[str, str]]) -> tuple[dict, str]:
    need_id, label, _, synonyms, age_options, level_options, activities = rng.choice(NEEDS)
    needs = [need_id]
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        other = rng.choice(NEEDS)[0]
        if other not in needs:
            needs.append(other)
    activity = rng.choice(activities)
    place = rng.choice(places)
    programme = rng.choice(PROGRAMMES[need_id]) if need_id in PROGRAMMES and rng.random() < 0.4 else ""
    audience = rng.choice(AUDIENCES)
    organisation_id, organisation_name = rng.choice(organisations)
    age_min, age_max, pregnancy = rng.choice(age_options)

    shape = rng.randrange(5)
    if programme and not programme.lower().startswith(activity.split()[0].lower()):
        title = f"{programme} {activity}"
    elif shape == 0:
        title = f"{activity[0].upper()}{activity[1:]} at {place['name']}"
    elif shape == 1:
        title = f"{place['name']} {activity}"
    elif shape == 2:
        title = f"{activity[0].upper()}{activity[1:]} for {audience}"
    elif shape == 3:
        ages = ("pregnancy to 2" if pregnancy else
                f"{age_min} to {age_max} years" if age_max < 99 else "all ages")
        title = f"{activity[0].upper()}{activity[1:]} ({ages})"
    else:
        title = f"{organisation_name} {activity}"
    service_id = f"{slugify(title)[:60].strip('-')}-{index + 1}"

    need_phrase = rng.choice(synonyms)
    summary = rng.choice([
        f"A {activity} for {audience}: help with {need_phrase} and {rng.choice(synonyms)}.",
        f"Free, friendly {activity} where {audience} can get support with {need_phrase}.",
        f"{activity[0].upper()}{activity[1:]} run by {organisation_name} for {audience} "
        f"worried about {need_phrase}.",
        f"Practical support for {audience} with {label.lower()}, including {need_phrase}.",
    ])[:200].rstrip()

    words = {"Title": title, "activity": activity, "audience": audience, "place": place["name"],
             "organisation": organisation_name, "need_phrase": need_phrase,
             "programme": programme or activity}
    paragraphs = [rng.choice(OPENERS).format(**words)]
    middle = rng.sample(MIDDLES, rng.randint(2, 5))
    paragraphs.append(" ".join(sentence.format(**words) for sentence in middle))
    if rng.random() < 0.5:
        paragraphs.append(f"What happens: {rng.choice(MIDDLES).format(**words)} "
                          f"Sessions cover {rng.choice(synonyms)}, {rng.choice(synonyms)} and {need_phrase}.")

    hubs: object = ("all" if rng.random() < 0.2 else
                    sorted({rng.choice(HUBS)[0] for _ in range(rng.choice((1, 1, 1, 2, 3)))}))
    venues = []
    if rng.random() < 0.6:
        for venue_place in [place, *rng.sample(places, rng.choice((0, 0, 1)))]:
            venue = dict(venue_place)
            venue["schedule"] = rng.choice(SCHEDULES)
            if rng.random() < 0.7:
                venue["accessibility"] = rng.choice(ACCESSIBILITY)
            venues.append(venue)
    delivery = sorted(set(rng.sample(["in-person", "online", "phone", "home-visit"],
                                     rng.choice((1, 1, 2, 3)))))
    if venues and "in-person" not in delivery:
        delivery.insert(0, "in-person")
    access = sorted(set(rng.sample(["self-referral", "professional-referral", "early-help-hub", "drop-in"],
                                   rng.choice((1, 1, 2, 3)))))
    levels = sorted(set(rng.sample(level_options, rng.randint(1, min(2, len(level_options))))))
    free = rng.random() < 0.85

    ages: dict = {"min": age_min, "max": age_max}
    if pregnancy:
        ages["pregnancy"] = True
    fields: dict = {
        "id": service_id, "title": title, "summary": summary, "organisation": organisation_id,
        "needs": needs, "ages": ages, "levels": levels, "hubs": hubs, "access": access,
    }
    if rng.random() < 0.5:
        fields["how_to_access"] = rng.choice(CLOSERS)
    fields["free"] = free
    if not free:
        fields["cost"] = rng.choice(COSTS)
    fields["delivery"] = delivery
    if rng.random() < 0.25:
        languages = rng.choice(LANGUAGE_SETS)
        fields["languages"] = languages
        paragraphs.append(" ".join(FOREIGN[code] for code in languages if code in FOREIGN))
    if rng.random() < 0.4:
        fields["interpreters"] = True
    contact = {"phone": _phone(rng)}
    if rng.random() < 0.6:
        contact["email"] = f"{slugify(activity)[:30]}@example.org"
    if rng.random() < 0.8:
        contact["website"] = f"https://example.org/services/{service_id}"
    if rng.random() < 0.2:
        contact["referral_form"] = f"https://example.org/refer/{service_id}"
    fields["contact"] = contact
    if venues:
        fields["venues"] = venues
    if programme and rng.random() < 0.6:
        fields["evidence"] = {"rating": rng.choice(EVIDENCE), "source": "Foundations Guidebook",
                              "url": f"https://example.org/evidence/{slugify(programme)}"}
    fields["keywords"] = sorted({*rng.sample(synonyms, min(len(synonyms), rng.randint(1, 4))),
                                 activity.lower()})
    fields["status"] = "published"
    fields["last_reviewed"] = today - dt.timedelta(days=rng.randint(1, 330))
    paragraphs.append(rng.choice(CLOSERS))
    return fields, "\n\n".join(paragraphs)


def edit_one_service(root: Path, text: str = "Updated by the benchmark") -> Path:
    """Change the summary of the first service (a typical one-entry editorial update)."""
    path = sorted((Path(root) / "services").glob("*.md"))[0]
    source = path.read_text(encoding="utf-8")
    lines = source.split("\n")
    for number, line in enumerate(lines):
        if line.startswith("summary: "):
            lines[number] = f"summary: {text} {dt.datetime.now():%H%M%S%f}."
            break
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--n", type=int, default=1000, help="number of services (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    generate(args.directory, args.n, args.seed)
    print(f"Wrote {args.n} services to {args.directory}")


if __name__ == "__main__":
    main()
