"""The web application: the Flask app (:mod:`imtkg.web.app`) and granian, the endpoints and the
pages (two subpackages), and the HTTP plumbing they share: per-app state, HTTP caching, content
negotiation, languages, IRIs and served URLs (:mod:`imtkg.web.linked_data`), the request bounds
(body size, hosts, admission), the response cache and the access log. ``templates/``,
``static/`` and ``queries/`` (the gallery) live here.

May import: :mod:`imtkg.query` and the layers below it; never :mod:`imtkg.cli`. Inside, the app
and granian sit above the endpoints, the endpoints above the pages, and the pages above the
plumbing (``[tool.importlinter]`` in ``pyproject.toml``).
"""
