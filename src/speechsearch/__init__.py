"""speechsearch: full-text search for Chinese speeches and policy documents."""

from .engine.whoosh_import import import_whoosh
from .stand_ins import loading

__version__ = "0.1.0"

with loading():  # 2% of a cold search's instructions
    import_whoosh()
