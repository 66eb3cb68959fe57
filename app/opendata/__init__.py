"""Open data: the Open Referral UK 3.0 feed, exports, and imports from other directories.

No Flask here; ``app/web/oruk_api.py`` serves the feed.
"""
