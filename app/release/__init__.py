"""The read side of a release: its SQLite schema (shared with the writer) and the objects that read it.

A release is an immutable folder (``directory.db``, ``whoosh/``,
``manifest.json``). ``schema`` says what the database holds, for
``app/publishing`` (which writes it) and for the readers here; ``reader`` is
the one object pages, practitioner tools and feeds read services through;
``live`` opens the current release for a web worker. No Flask here.
"""
