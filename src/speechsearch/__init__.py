"""speechsearch: full-text search for Chinese speeches and policy documents."""

from .engine.whoosh_import import import_whoosh

__version__ = "0.1.0"

import_whoosh()
