"""Releases of the dataset: numbered, dated snapshots kept with their dumps, and what changed.

* :mod:`~imtkg.releases.records`: a release's record (``release.json``) and its files;
* :mod:`~imtkg.releases.history`: the releases of a folder, oldest first, and what they say of a
  statement or a resource (since which release, last changed in which);
* :mod:`~imtkg.releases.diff`: the statements added and removed between two datasets, per named
  graph, as text, N-Quads patches, RDF Patch or JSON;
* :mod:`~imtkg.releases.making`: ``imtkg release``, which refuses an invalid or inconsistent
  graph and an IRI removed without a trail;
* :mod:`~imtkg.releases.catalogue`: the DCAT description of the releases (the version chain).

This layer sits above the store (it loads, reasons and dumps the inputs as the server does) and
below the web layer; it imports no Flask.
"""
