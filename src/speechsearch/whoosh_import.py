"""Import Whoosh without the two modules it loads for nothing a search uses.

``whoosh.compat`` imports ``urllib.request`` for ``urlretrieve`` (which pulls in http.client and
the email package), and ``whoosh.reading`` imports the ``cached_property`` package, which imports
asyncio. Together that is about 100 ms of a cold search's 0.3 s, measured with ``python -X
importtime``. While Whoosh's modules load, those two names resolve to small stand-ins; then they
are taken out of ``sys.modules`` again, so any later ``import urllib.request`` or
``import cached_property`` in the process gets the real module.
"""

from __future__ import annotations

import functools
import sys
import types


def _urlretrieve(*args, **kwargs):
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def import_whoosh() -> None:
    if "whoosh.reading" in sys.modules:
        return
    stand_ins = {"cached_property": types.ModuleType("cached_property"),
                 "urllib.request": types.ModuleType("urllib.request")}
    # functools.cached_property does what the package's does for Whoosh: compute once per instance.
    stand_ins["cached_property"].cached_property = functools.cached_property
    stand_ins["urllib.request"].urlretrieve = _urlretrieve
    installed = [name for name in stand_ins if name not in sys.modules]
    for name in installed:
        sys.modules[name] = stand_ins[name]
    try:
        import whoosh.compat  # noqa: F401
        import whoosh.reading  # noqa: F401
    finally:
        for name in installed:
            if sys.modules.get(name) is stand_ins[name]:
                del sys.modules[name]
