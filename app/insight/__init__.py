"""Insight for commissioners: gaps in provision, unmet demand and data quality (no Flask).

- :mod:`.coverage`: published services counted by hub x need x age band, with thin and empty cells;
- :mod:`.searchlog` and :mod:`.privacy`: the privacy-safe log of searches, in its own SQLite file;
- :mod:`.demand`: what families search for, shown only for queries seen at least k times;
- :mod:`.quality`: overdue reviews, owners, completeness, likely duplicates, invalid contacts and
  suggestions, per entry, organisation and hub.

Reports read the live release through its reader (:mod:`app.release.reader`) and never write to
it. What each measure means for a commissioner is in docs/insight.md.
"""
