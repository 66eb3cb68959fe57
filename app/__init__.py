"""Early Help Directory: the Flask application factory."""

from __future__ import annotations

from flask import Flask
from flask_babel import Babel

from .config import Config
from .live import LiveRelease


def create_app(config: object | None = None) -> Flask:
    """Build the web application; ``config`` defaults to :class:`Config` from the environment."""
    app = Flask(__name__, instance_path=None, static_folder=None)
    app.config.from_object(config or Config())
    app.json.sort_keys = False  # keep records in the order they are built: envelopes first, ids first
    app.extensions["live_release"] = LiveRelease(app.config["INDEX_DIR"])
    Babel(app)

    from .web import api, assets, compression, crawlers, errors, oruk_api, public, security, templating

    app.register_blueprint(public.blueprint)
    app.register_blueprint(crawlers.blueprint)
    app.register_blueprint(api.blueprint)
    oruk_api.register(app)
    assets.register(app, app.config["STATIC_DIR"])
    templating.register(app)
    errors.register(app)
    security.register(app)
    compression.register(app)

    from .cli import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)
    return app
