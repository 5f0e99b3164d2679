"""Import Whoosh without the modules it loads for nothing a search uses.

Whoosh imports, at the top of its modules, things only a few of its functions call:
``urllib.request`` for ``urlretrieve`` (http.client and the email package), the
``cached_property`` package (asyncio), ``whoosh.lang.morph_en`` for its Variations query (some
hundred regular expressions compiled at import), ``hashlib`` for an md5 our sorted term table
never uses (OpenSSL's start-up), the Porter stemmer and Double Metaphone for English analyzers,
``html`` for its highlighter's escaping, ``shutil`` (with bz2 and lzma) and
``tempfile`` for copying and temporary storage, ``random`` for naming new files, ``calendar``
for date fields, ``queue`` for its multiprocessing writer, the Levenshtein automata of fuzzy
queries, ``whoosh.sorting`` for sorted and faceted collectors, ``whoosh.util.times`` for date
fields and the edit distance of its spelling suggestions. Each is a few milliseconds (the last
ones a few tenths) of a cold search, measured with ``python -X importtime``.

While Whoosh's modules load, those names resolve to stand-ins (``stand_ins.StandIn``). Then the
stand-ins are taken out of ``sys.modules`` again, so any later import in the process gets the
real module.
"""

from __future__ import annotations

import functools
import sys

from ..stand_ins import StandIn, standing_in

# Module -> the functions Whoosh imports from it by name (``from M import f``); an empty tuple
# for a module it imports whole and reads attributes of only when they are used.
DEFERRED = {
    "urllib.request": ("urlretrieve",),
    "whoosh.lang.morph_en": ("variations",),
    "hashlib": ("md5",),
    "whoosh.lang.porter": ("stem",),
    "whoosh.lang.dmetaphone": ("double_metaphone",),
    "html": ("escape",),
    "shutil": ("copyfileobj",),
    "tempfile": (),
    "random": (),
    "calendar": (),
    "queue": (),
    "whoosh.automata.lev": (),
    "whoosh.sorting": (),
    "whoosh.util.times": ("datetime_to_long", "long_to_datetime"),
    "whoosh.support.levenshtein": ("distance",),
}


def import_whoosh() -> None:
    if "whoosh.query" in sys.modules:
        return
    stand_ins = [StandIn(name, functions) for name, functions in DEFERRED.items()]
    # functools.cached_property does what the package's does for Whoosh: compute once per instance.
    cached = StandIn("cached_property")
    cached.cached_property = functools.cached_property
    with standing_in(*stand_ins, cached):
        import whoosh.codec.whoosh3  # noqa: F401
        import whoosh.collectors  # noqa: F401
        import whoosh.compat  # noqa: F401
        import whoosh.filedb.filetables  # noqa: F401
        import whoosh.index  # noqa: F401
        import whoosh.query  # noqa: F401
        import whoosh.reading  # noqa: F401
        import whoosh.scoring  # noqa: F401
        import whoosh.searching  # noqa: F401
