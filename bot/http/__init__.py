"""HTTP endpoints of ``motcua serve``, one module per feature, each with ``setup(web_app, app)``."""
