"""Early Help Directory: the Flask application factory."""

from __future__ import annotations

from flask import Flask
from flask_babel import Babel
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import Config
from .release.live import LiveRelease


def create_app(config: object | None = None) -> Flask:
    """Build the web application; ``config`` defaults to :class:`Config` from the environment."""
    app = Flask(__name__, instance_path=None, static_folder=None)
    app.config.from_object(config or Config())
    app.json.sort_keys = False  # keep records in the order they are built: envelopes first, ids first
    app.extensions["live_release"] = LiveRelease(app.config["INDEX_DIR"])
    from .web import hosts

    hosts.register(app, app.config.get("ALLOWED_HOSTS", []))
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        # Behind a reverse proxy every request comes from its address: take the visitor's
        # address (rate limits, the audit log) and the scheme from the headers it sets.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    from .web import (
        api,
        assets,
        compression,
        crawlers,
        csrf,
        editor,
        errors,
        i18n,
        oruk_api,
        page_cache,
        practitioner,
        public,
        request_overhead,
        security,
        templating,
    )
    from .web import suggestions as public_suggestions

    Babel(app, locale_selector=i18n.select_locale)
    i18n.register(app)
    app.register_blueprint(public.blueprint)
    app.register_blueprint(crawlers.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(public_suggestions.blueprint)
    practitioner.register(app)
    oruk_api.register(app)
    assets.register(app, app.config["STATIC_DIR"])
    templating.register(app)
    errors.register(app)
    csrf.register(app)
    editor.register(app)
    page_cache.register(app)
    security.register(app)
    compression.register(app)
    request_overhead.register(app)

    from .cli import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)
    return app
