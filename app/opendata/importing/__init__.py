"""Imports into a content folder: Open Referral UK 3.0 feeds and spreadsheets (CSV), and the CSV export.

No Flask here. :mod:`.writer` writes entries (checked with the loader's own
rules, re-runs safe), :mod:`.from_oruk` maps ORUK services read by
:mod:`.feed`, :mod:`.spreadsheet` reads and writes the CSV columns.
"""

from .feed import FeedError, read_feed
from .from_oruk import import_oruk
from .report import ImportReport
from .target import TargetError

__all__ = ["FeedError", "ImportReport", "TargetError", "import_oruk", "read_feed"]
