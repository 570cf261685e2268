"""The machine-facing endpoints: SPARQL protocol and service description, SHACL validation,
explanations, VoID, dumps, health, the workbench and its gallery of example queries.

May import: :mod:`imtkg.web.pages`, the HTTP plumbing of :mod:`imtkg.web` and the layers below
it; not the app.
"""
