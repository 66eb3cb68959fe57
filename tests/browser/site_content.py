"""The small directory the browser tests publish and serve, and the pages they visit."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..factories import SITE, service, write_content

QUICK_EXIT_URL = SITE["quick_exit_url"]

# Titles must be plain text (no tags), so the hostile part of this entry is its body and contact;
# the title is long (the limit is 120), with a word too long for a phone's line, quotes, "&" and "<3".
LONG_ID = "rare-conditions-family-support"
LONG_TITLE = ('Support & advice for parents, carers & grandparents of children with '
              'pseudohypoparathyroidism ("Rare Together") <3')
LONG_EMAIL = "earlyhelp.rareconditions.familysupport@exampleboroughcouncil.org.uk"
LONG_WEBSITE = ("https://example.org/early-help/rare-conditions/family-support-and-peer-groups/"
                "referral-information-for-parents-and-professionals")
HOSTILE_BODY = f"""\
<script>alert("body script")</script>
<img src="x" onerror="alert('img onerror')">
<a href="https://example.org/details" onclick="alert('onclick')">Click for details</a>

## What happens

A monthly peer group for families & carers, with a family worker: "you are not alone" <3.
Write to {LONG_EMAIL} or read {LONG_WEBSITE} before you come.
"""

OVERDUE_ID = "school-attendance-support"

SERVICES = [
    service("incredible-years", title="Incredible Years parenting group",
            summary="A 14-week group for parents who want calmer days and fewer tantrums.",
            needs=["parenting"], ages={"min": 3, "max": 6}, levels=[2], hubs=["west"],
            access=["self-referral", "professional-referral"], languages=["en", "tr"],
            how_to_access="Call the hub or ask your health visitor to refer you.",
            contact={"phone": "020 7946 0210", "email": "parenting@example.org",
                     "website": "https://example.org/incredible-years"},
            venues=[{"name": "Brook Children's Centre", "address": "3 Brook Street, Exampleton",
                     "postcode": "N17 6BB", "hub": "west", "hours": ["Mon-Fri 09:00-17:00"],
                     "schedule": "Tuesdays 9:30 to 11:30, term time",
                     "accessibility": "Step-free access, baby changing"}],
            keywords=["behaviour course"]),
    service("teen-parenting", title="Parenting teenagers workshop",
            summary="Evening parenting workshops for parents of 12 to 18 year olds: arguments, screens.",
            needs=["parenting"], ages={"min": 12, "max": 18}, levels=[2, 3], hubs=["east"]),
    service("parenting-helpline", title="Parenting helpline",
            summary="Talk to a family worker on the phone about any parenting worry, big or small.",
            needs=["parenting"], ages={"min": 0, "max": 18}, levels=[1, 2], hubs="all", delivery=["phone"]),
    service("debt-advice", title="Debt and benefits advice",
            summary="Free, confidential advice on debts, bills and Universal Credit.",
            needs=["money-debt"], ages={"min": 16, "max": 99}, levels=[1, 2], hubs="all",
            delivery=["phone", "online"], languages=["en", "pl"]),
    service("stay-and-chat", title="Stay and Chat speech drop-in",
            summary="Drop in with your toddler and talk to a speech and language therapist.",
            needs=["speech-language"], ages={"min": 0, "max": 4}, levels=[1], hubs=["west", "east"],
            access=["drop-in"]),
    service("idva-outreach", title="Domestic abuse outreach",
            summary="Independent advisers help you stay safe from an abusive partner.",
            needs=["domestic-abuse"], ages={"min": 16, "max": 99, "pregnancy": True}, levels=[3, 4],
            hubs="all", access=["self-referral", "professional-referral"], delivery=["phone"]),
    service(OVERDUE_ID, title="School attendance support",
            summary="Family workers help children who find it hard to go to school.",
            needs=["school-attendance"], ages={"min": 5, "max": 16}, levels=[2, 3], hubs=["east"],
            access=["professional-referral"], free=False, cost="No charge for families on benefits",
            last_reviewed="2020-01-15"),
    service(LONG_ID, title=LONG_TITLE,
            summary=f"Monthly peer support for parents & carers of children with rare conditions; "
                    f"write to {LONG_EMAIL}",
            needs=["parenting", "speech-language"], ages={"min": 0, "max": 25}, levels=[2, 3],
            hubs=["west"], access=["self-referral"], delivery=["in-person", "online"],
            contact={"email": LONG_EMAIL, "website": LONG_WEBSITE, "phone": "020 7946 0999"}),
    service("old-draft", title="A draft service", status="draft"),
]

PAGES = {
    "about": ("About this directory", "What this directory is and who runs it.",
              "This directory lists early help services in Testshire.\n\n## Keeping it accurate\n\n"
              "- Every entry is reviewed each year.\n- Tell us about mistakes at directory@example.org.\n"),
    "covering-your-tracks": ("Covering your tracks online",
                             "How to look for help more safely if someone checks your phone.",
                             "Every page has an **Exit this page** button. You can also press Shift "
                             "three times.\n\n## Use private browsing\n\nPrivate browsing stops your "
                             "phone saving the pages you visit.\n"),
}

# The pages every public-page test visits: name -> path.
# Enough languages for the switcher to wrap on a phone, with both right-to-left scripts.
LANGUAGES = ["en", "pl", "ro", "bn", "ur", "ar", "so", "tr", "pt", "es"]

URLS = {
    "home": "/",
    "results": "/search?q=parenting",
    "no-results": "/search?q=zzzzqqq",
    "service": "/services/incredible-years",
    "service-long-title": f"/services/{LONG_ID}",
    "service-overdue": f"/services/{OVERDUE_ID}",
    "report": "/services/incredible-years/report",
    "hubs": "/hubs/",
    "hub": "/hubs/west",
    "page-about": "/pages/about",
    "page-covering-your-tracks": "/pages/covering-your-tracks",
    # Practitioner tools
    "shortlist": f"/shortlist?s=incredible-years,{LONG_ID},debt-advice,idva-outreach,{OVERDUE_ID}",
    "menu": "/menu",
    "menu-table": "/menu?view=table&sort=evidence",
    "hub-find": "/hubs/find?postcode=n17+6aa",
}


def write_site_content(root: Path) -> Path:
    """Write the browser tests' content folder (services, hubs and two static pages) to ``root``."""
    content = write_content(root, SERVICES, bodies={LONG_ID: HOSTILE_BODY},
                            site={**SITE, "languages": LANGUAGES})
    for slug, (title, summary, body) in PAGES.items():
        front = yaml.safe_dump({"title": title, "summary": summary}, sort_keys=False)
        (content / "pages" / f"{slug}.md").write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return content
