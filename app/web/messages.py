"""Sentences for the codes domain code reports, translated for the reader."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..search.request import Notice, RequestError

# The filter parameters as nouns in a sentence, so a reader never meets the parameter's English name.
FILTER_NOUNS = {
    "need": _l("need"), "age": _l("age"), "hub": _l("hub"), "level": _l("level"), "free": _l("cost"),
    "delivery": _l("way of delivering"), "language": _l("language"), "access": _l("way to get it"),
}


def notice_message(notice: Notice) -> str:
    params = notice.params
    if notice.code == "unknown_filter_value":
        return _("We do not know the %(group)s '%(value)s', so we left that filter out.",
                 group=FILTER_NOUNS.get(params["group"], params["group"]), value=params["value"])
    if notice.code == "query_shortened":
        return _("Your search was very long, so we used only the first %(limit)s characters.",
                 limit=params["limit"])
    if notice.code == "per_page_capped":
        return _("We show at most %(limit)s results on a page.", limit=params["limit"])
    if notice.code == "unknown_sort":
        return _("We cannot sort by '%(value)s'; results are sorted by best match or by name.",
                 value=params["value"])
    if notice.code == "page_out_of_range":
        return ngettext("There is no such page of results; there is %(num)s page.",
                        "There is no such page of results; there are %(num)s pages.", params["pages"])
    return notice.code


def request_error_message(error: RequestError) -> str:
    if error.code == "not_a_number":
        return _("'%(name)s' must be a whole number from 1, not '%(value)s'.",
                 name=error.params["name"], value=error.params["value"])
    return error.code
