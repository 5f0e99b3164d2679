"""Import Whoosh without the modules it loads for nothing a search uses.

``whoosh.compat`` imports ``urllib.request`` for ``urlretrieve`` (which pulls in http.client and
the email package), ``whoosh.reading`` imports the ``cached_property`` package, which imports
asyncio, and ``whoosh.query`` imports ``whoosh.lang.morph_en`` (English word variations, some
hundred regular expressions compiled at import) for its Variations query; its term tables
import ``hashlib`` (3 ms of OpenSSL start-up) for an md5 hash our sorted term table never uses.
Together that is over 100 ms of a cold search's 0.3 s, measured with ``python -X importtime``. While Whoosh's
modules load, those names resolve to small stand-ins; then they are taken out of
``sys.modules`` again, so any later import of them in the process gets the real module.
"""

from __future__ import annotations

import functools
import sys
import types


def _urlretrieve(*args, **kwargs):
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def _md5(*args, **kwargs):
    from hashlib import md5

    return md5(*args, **kwargs)


def _variations(word):
    from whoosh.lang.morph_en import variations

    return variations(word)


def import_whoosh() -> None:
    if "whoosh.query" in sys.modules:
        return
    stand_ins = {name: types.ModuleType(name) for name in ("cached_property", "urllib.request",
                                                            "whoosh.lang.morph_en", "hashlib")}
    # functools.cached_property does what the package's does for Whoosh: compute once per instance.
    stand_ins["cached_property"].cached_property = functools.cached_property
    stand_ins["urllib.request"].urlretrieve = _urlretrieve
    stand_ins["whoosh.lang.morph_en"].variations = _variations
    stand_ins["hashlib"].md5 = _md5
    installed = [name for name in stand_ins if name not in sys.modules]
    for name in installed:
        sys.modules[name] = stand_ins[name]
    try:
        import whoosh.compat  # noqa: F401
        import whoosh.filedb.filetables  # noqa: F401
        import whoosh.query  # noqa: F401
        import whoosh.reading  # noqa: F401
    finally:
        for name in installed:
            if sys.modules.get(name) is stand_ins[name]:
                del sys.modules[name]
