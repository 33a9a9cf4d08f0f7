"""The archive as a small server-rendered website with a JSON API: ``create_app(db_path)``."""

from kznlp.web.app import create_app

__all__ = ["create_app"]
