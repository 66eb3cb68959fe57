"""Editorial state that is not published: accounts, the audit log and (later) drafts and reviews.

It lives in ``<INSTANCE_DIR>/editorial.db`` (SQLite), never in a release. No
module here imports Flask: the web views and the command line both call in.
"""
