"""Citations of the dataset, its releases, its source documents and single statements."""
