"""The IMT knowledge graph: loading, reasoning, validation and the linked-data / SPARQL server.

The import name is ``imtkg``; the code lives in the repository's ``server/`` folder.
"""

__version__ = "0.1.0"
