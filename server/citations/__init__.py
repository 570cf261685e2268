"""Citations of the dataset, its releases, its source documents and single statements.

* :mod:`~imtkg.citations.model`: a citation (:class:`~imtkg.citations.model.Citation`) and the
  works it cites, with dates as far as known and paragraph locators;
* :mod:`~imtkg.citations.dataset`: a release of the dataset, or the working data after one;
* :mod:`~imtkg.citations.sources`: the source documents of the catalogue (``graph:sources``),
  read with SPARQL through the query engine;
* :mod:`~imtkg.citations.statements` and :mod:`~imtkg.citations.resources`: what a statement
  or a resource cites;
* :mod:`~imtkg.citations.bibtex`, :mod:`~imtkg.citations.csl`, :mod:`~imtkg.citations.ris`,
  :mod:`~imtkg.citations.bibliography`: the writers (bibtexparser, CSL-JSON, rispy, citeproc-py),
  tabled with their media types in :mod:`~imtkg.citations.formats`.

This layer sits above the releases and below the web layer; it imports no Flask.
"""
