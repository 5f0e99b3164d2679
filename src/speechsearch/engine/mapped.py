"""Index files read through memory maps.

Whoosh's ``FileStorage`` reads a file with a seek and a read of a buffered file for every
``get``: a search reads term entries, posting blocks and stored records that way, some seven
hundred small reads for a query of a hundred hits, each a few microseconds of system calls and
Python. Here a file is mapped once and a ``get`` is a slice of the map. Generations are never
written to after their commit, so a map cannot change under a reader.
"""

from __future__ import annotations

import mmap
import os
import zlib

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

from .packing import DamagedBlock


class MappedFile(StructFile):
    """A ``StructFile`` over a read-only memory map of the whole file."""

    def __init__(self, mapped: mmap.mmap, name: str):
        super().__init__(mapped, name=name)

    def get(self, position, length):
        return self.file[position:position + length]

    def view(self, position: int, length: int) -> memoryview:
        """The bytes at ``position`` without copying them: only the pages read are loaded."""
        return memoryview(self.file)[position:position + length]

    def close(self):
        try:
            super().close()
        except BufferError:  # a view of the map is still held: the map goes when the last view does
            self.is_closed = True


class MappedStorage(FileStorage):
    """A storage whose existing files open as memory maps (an empty file as a plain one); files
    it creates are written as usual. ``checksums`` (file name: CRC-32) are those of files the
    index store left to be checked when they are read whole (``read_checked``)."""

    def __init__(self, path: str, checksums: dict[str, int] | None = None):
        super().__init__(path)
        self.checksums = checksums if checksums is not None else {}

    def open_file(self, name, **kwargs):
        path = self._fpath(name)
        with open(path, "rb") as stream:
            if os.fstat(stream.fileno()).st_size == 0:
                return super().open_file(name, **kwargs)
            mapped = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
        return MappedFile(mapped, name)

    def read_checked(self, name: str) -> bytes:
        with self.open_file(name) as stream:
            data = stream.read()
        crc = self.checksums.get(name)
        if crc is not None and zlib.crc32(data) != crc:
            raise DamagedBlock(f"{name} was changed")
        return data
