"""speechsearch: full-text search for Chinese speeches and policy documents."""

import gc

from .engine.whoosh_import import import_whoosh

__version__ = "0.1.0"

# A collection while Whoosh's modules load only walks what lives as long as the process;
# frozen, they stay out of later ones too (as cli.py does for its own).
_collecting = gc.isenabled()
gc.disable()
import_whoosh()
gc.freeze()
if _collecting:
    gc.enable()
