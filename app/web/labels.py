"""Words for the codes entries use (access routes, delivery, evidence, ages), in the reader's language."""

from __future__ import annotations

import re

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..content.model import NO_UPPER_AGE

ACCESS_LABELS = {
    "self-referral": _l("Contact them yourself"),
    "professional-referral": _l("A professional can refer you"),
    "early-help-hub": _l("Through your Early Help Hub"),
    "drop-in": _l("Drop in, no appointment needed"),
}

DELIVERY_LABELS = {
    "in-person": _l("In person"),
    "online": _l("Online"),
    "phone": _l("By phone"),
    "home-visit": _l("Home visits"),
}

# What each Foundations Guidebook rating means, in words a parent can use.
EVIDENCE_LABELS = {
    "2": _l("Preliminary evidence: early studies suggest it helps."),
    "3": _l("Evidence of efficacy: at least one good study found it helps."),
    "4": _l("Evidence of effectiveness: several good studies, in real services, found it helps."),
    "NL2": _l("Not yet rated at level 2: the evidence so far is not strong enough to say."),
    "NE": _l("Evidence of no effect: good studies found it did not improve outcomes."),
}
EVIDENCE_QUALIFIERS = {
    "+": _l("The evidence is stronger than most at this level."),
    "*": _l("The evidence at this level is mixed."),
}


def access_label(route: str) -> str:
    return str(ACCESS_LABELS.get(route, route))


def delivery_label(mode: str) -> str:
    return str(DELIVERY_LABELS.get(mode, mode))


def evidence_explanation(rating: str) -> str:
    """A plain-words reading of a rating such as ``3+`` or ``NL2``."""
    base, qualifier = (rating[:-1], rating[-1]) if rating[-1:] in EVIDENCE_QUALIFIERS else (rating, "")
    words = [str(EVIDENCE_LABELS.get(base, ""))]
    if qualifier:
        words.append(str(EVIDENCE_QUALIFIERS[qualifier]))
    return " ".join(word for word in words if word)


def language_name(code: str) -> str:
    """A language's name in the reader's language ("Polish" for ``pl``), else the code."""
    try:
        name = Locale.parse(str(get_locale())).languages.get(code)
    except (ValueError, UnknownLocaleError):
        name = None
    return name or code


def age_range(age_min: int, age_max: int, pregnancy: bool = False) -> str:
    if age_min == 0 and age_max >= NO_UPPER_AGE:
        ages = _("all ages")
    # Plural forms on the number a language's grammar follows (Polish "5 lat", Romanian "25 de ani").
    elif age_max >= NO_UPPER_AGE:
        ages = ngettext("ages %(num)s and over", "ages %(num)s and over", age_min)
    elif age_min == age_max:
        ages = ngettext("age %(num)s", "age %(num)s", age_min)
    else:
        ages = ngettext("ages %(min)s to %(num)s", "ages %(min)s to %(num)s", age_max, min=age_min)
    if pregnancy:
        return _("Pregnancy, and %(ages)s", ages=ages)
    return ages[:1].upper() + ages[1:]


def cost_text(free: bool, cost: str) -> str:
    if free:
        return cost or _("Free")
    return cost or _("There is a charge")


def tel_href(phone: str) -> str:
    """A ``tel:`` link for a written phone number ("020 7946 0100" -> ``tel:02079460100``)."""
    digits = re.sub(r"[^0-9+]", "", phone)
    return f"tel:{digits}"
