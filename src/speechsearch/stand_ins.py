"""Modules that stand in for others until something reads from them.

A cold search is a fresh process, and much of its wait is importing modules that libraries load
at the top of theirs for functions a search never calls. While such a library loads, a
``StandIn`` takes the module's place in ``sys.modules``: a function the library imports by name
(``from M import f``) imports the real module when it is called, and any other attribute of the
stand-in imports the real module when it is first read, after which ``sys.modules`` holds the
real one. ``engine/whoosh_import.py`` uses them for Whoosh; ``defer_for_click`` for click.
``loading`` keeps the collector off while modules load.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import types
from contextlib import contextmanager


def real_module(name: str) -> types.ModuleType:
    if isinstance(sys.modules.get(name), StandIn):
        del sys.modules[name]
    return importlib.import_module(name)


def _deferred_call(module: str, name: str):
    def call(*args, **kwargs):
        return getattr(real_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


class StandIn(types.ModuleType):
    """Stands for module ``name`` until something reads from it."""

    def __init__(self, name: str, functions: tuple[str, ...] = ()):
        super().__init__(name)
        for function in functions:
            setattr(self, function, _deferred_call(name, function))

    def __getattr__(self, attr: str):
        if attr.startswith("__"):  # what the import system probes for (__path__, __file__ …)
            raise AttributeError(attr)
        return getattr(real_module(self.__name__), attr)


def _cleandoc(doc: str) -> str:
    """``inspect.cleandoc``, which click calls on every option's help text as it defines the
    option (and on the --help option of every command it runs). For a text of one line without
    tabs it only strips the leading white space; anything longer goes to the real function."""
    if "\n" in doc or "\t" in doc:
        return real_module("inspect").cleandoc(doc)
    return doc.lstrip()


def _loaded_gettext() -> types.ModuleType | None:
    """The real ``gettext``, if anything has loaded it (and so could have told it of a domain
    or a folder of catalogues)."""
    module = sys.modules.get("gettext")
    return None if module is None or isinstance(module, StandIn) else module


def _gettext(message: str) -> str:
    """``gettext.gettext`` where no message catalogue can exist: the message itself."""
    real = _loaded_gettext()
    return real.gettext(message) if real else message


def _ngettext(singular: str, plural: str, n: int) -> str:
    real = _loaded_gettext()
    if real:
        return real.ngettext(singular, plural, n)
    return singular if n == 1 else plural


def _untranslated_gettext() -> StandIn | None:
    """A stand-in for ``gettext`` that translates nothing, where that is what the real one does:
    its default folder of catalogues (``sys.base_prefix``/share/locale, pyenv's and python.org's
    builds have none) is missing. click's modules import ``gettext`` and ``ngettext`` by name and
    call them as they define options and on every command run; each call looked for catalogues
    on disk, and the first imported ``locale`` (together 1.5 ms of a cold search)."""
    if "gettext" in sys.modules or os.path.isdir(os.path.join(sys.base_prefix, "share", "locale")):
        return None
    stand_in = StandIn("gettext")
    stand_in.gettext, stand_in.ngettext = _gettext, _ngettext
    return stand_in


def defer_for_click() -> None:
    """Import click and pathlib without what they load for functions a search never calls:
    - ``inspect`` (with ``ast``, ``dis`` and ``tokenize``) stays a stand-in until something other
      than a one-line ``cleandoc`` reads from it: click's help formatting, ``dataclasses`` for a
      class without a docstring;
    - ``uuid`` (with ``platform``), for click's UUID parameter type, is imported when that type
      first converts a value;
    - ``urllib.parse`` (with ``ipaddress``) when ``Path.as_uri`` first calls it;
    - ``gettext`` where there are no catalogues to translate click's messages with.
    Together 9% of a cold search's instructions (``benchmarks/README.md``)."""
    if "inspect" not in sys.modules:
        inspect = StandIn("inspect")
        inspect.cleandoc = _cleandoc
        sys.modules["inspect"] = inspect  # left in place: modules imported later bind it too
    if "pathlib" not in sys.modules and "urllib.parse" not in sys.modules:
        with standing_in(StandIn("urllib.parse", ("quote_from_bytes",))):
            import pathlib  # noqa: F401
    if "click" not in sys.modules and "uuid" not in sys.modules:
        uuid = StandIn("uuid")
        # click subscripts its parameter type's generic with uuid.UUID as it defines its UUID
        # type; it reads uuid.UUID again only to convert a value, by then from the real module.
        uuid.UUID = type("UUID", (), {})
        with standing_in(*filter(None, (uuid, _untranslated_gettext()))):
            import click  # noqa: F401
        del uuid.UUID


@contextmanager
def standing_in(*stand_ins: StandIn):
    """Each of ``stand_ins`` in ``sys.modules`` while the block runs (those whose module is
    loaded already are left out), and taken out again after it, unless the real one replaced it."""
    installed = [s for s in stand_ins if s.__name__ not in sys.modules]
    for stand_in in installed:
        sys.modules[stand_in.__name__] = stand_in
    try:
        yield
    finally:
        for stand_in in installed:
            if sys.modules.get(stand_in.__name__) is stand_in:
                del sys.modules[stand_in.__name__]


@contextmanager
def loading():
    """No collections while modules load: they would only walk objects that live as long as the
    process. Those are then frozen out of later collections, which resume as they were."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
