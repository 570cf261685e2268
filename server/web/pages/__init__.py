"""The linked-data pages: dereferenceable IRIs in every format (the RDF documents and their
JSON-LD context), the home page, resource views, ontology documentation and diagrams, and the
queries they run (labels, descriptions).

May import: the HTTP plumbing of :mod:`imtkg.web` and the layers below it; not the endpoints
or the app.
"""
