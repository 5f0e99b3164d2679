"""The document model shared by ingest, index, search and export.

A source file holds one or more speeches; a speech has sections (一、), a section has points
((一) / 1、 / 第一, / 一是 at the start of a line), and any paragraph may hold inline sub-points
(一是…二是…). The unit of search is a Passage: the smallest outline unit that holds some text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# What a corpus.yaml entry, a front-matter block or a JSONL record may say about a document.
METADATA_KEYS = ("title", "speaker", "date", "place", "source", "tags")


@dataclass
class SubPoint:
    """An inline enumeration item inside a paragraph: 一是…, 一要…, 首先…"""

    heading: str
    line: int
    start: int
    end: int

    def to_dict(self) -> dict:
        return {"heading": self.heading, "line": self.line}


@dataclass
class Section:
    """A heading opened by a marker at the start of a line, and everything under it.

    ``level`` 1 is a section of the speech, 2 a point inside a section, and so on: levels come
    from how markers nest in this speech, not from the marker's kind.
    """

    heading: str
    line: int
    level: int
    marker: str
    intro_lines: list[int] = field(default_factory=list)
    body_lines: list[int] = field(default_factory=list)
    points: list[Section] = field(default_factory=list)
    subpoints: list[SubPoint] = field(default_factory=list)

    def to_dict(self) -> dict:
        d: dict = {"heading": self.heading, "line": self.line}
        if self.points:
            d["points"] = [p.to_dict() for p in self.points]
        if self.subpoints:
            d["subpoints"] = [s.to_dict() for s in self.subpoints]
        return d


@dataclass
class Speech:
    title: str
    line: int
    salutation_line: int | None = None
    preamble_lines: list[int] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    closing_lines: list[int] = field(default_factory=list)
    notes_lines: list[int] = field(default_factory=list)  # a glossary or footnotes at the end

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "line": self.line,
            "sections": [s.to_dict() for s in self.sections],
        }


@dataclass
class Passage:
    """A searchable unit with its place in the outline.

    ``start``/``end`` are character offsets into the repaired text of source line ``line``.
    """

    doc: str
    speech: str
    path: list[str]
    line: int
    start: int
    end: int
    text: str
    kind: str  # title | heading | paragraph | subpoint | salutation | closing | note
    ordinal: int = 0  # position of the passage within its document

    @property
    def level(self) -> int:
        return len(self.path)


@dataclass
class GarbageSpot:
    """A stretch of byte-level damage kept verbatim; line and column are 1-based."""

    line: int
    column: int
    text: str


@dataclass
class Document:
    """One ingested source file: repaired lines, its speeches and its passages."""

    path: str
    title: str
    encoding: str
    lines: list[str]
    speeches: list[Speech] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    boilerplate_lines: list[int] = field(default_factory=list)
    chrome_lines: list[int] = field(default_factory=list)  # the hosting page's toolbar, fields, links
    annotations_stripped: int = 0
    garbage: list[GarbageSpot] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)

    def outline(self) -> dict:
        return {"doc": self.path, "speeches": [s.to_dict() for s in self.speeches]}
