"""When a 提法 appeared and how its use grew: literal matches counted per period.

Counts are of the same matches ``search`` finds (every passage that contains the query), grouped
by the document's date: by year, quarter or month, as passages or as distinct documents. With
``per`` they are divided by the period's own number of passages, since the corpus holds more
text for some periods than for others. Passages of undated documents are counted apart.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UsageError

PERIODS = ("year", "quarter", "month")


def period_of(date: str | None, by: str) -> str | None:
    """``2024-05-17`` as 2024, 2024-Q2 or 2024-05; a date too coarse for ``by`` has no period."""
    if not date:
        return None
    if by == "year":
        return date[:4]
    if len(date) < 7:
        return None
    if by == "month":
        return date[:7]
    return f"{date[:4]}-Q{(int(date[5:7]) - 1) // 3 + 1}"


def period_range(first: str, last: str, by: str) -> list[str]:
    """Every period from ``first`` to ``last``, the empty ones too (a gap is a finding)."""
    if by == "year":
        return [str(y) for y in range(int(first), int(last) + 1)]
    year, part = int(first[:4]), int(first[-1] if by == "quarter" else first[5:7])
    end = (int(last[:4]), int(last[-1] if by == "quarter" else last[5:7]))
    out, size = [], 4 if by == "quarter" else 12
    while (year, part) <= end:
        out.append(f"{year}-Q{part}" if by == "quarter" else f"{year}-{part:02d}")
        year, part = (year + 1, 1) if part == size else (year, part + 1)
    return out


@dataclass
class Series:
    query: str
    counts: Counter = field(default_factory=Counter)  # period -> passages or documents
    undated: int = 0
    coarse: int = 0  # dated, but only to a year, when counting by quarter or month
    total: int = 0
    first: object | None = None  # the earliest dated hit (search.Hit)
    last: object | None = None


@dataclass
class Trend:
    by: str
    count: str
    per: int | None
    periods: list[str]
    series: list[Series]
    period_passages: Counter

    def value(self, series: Series, period: str) -> float | None:
        """The count, or the rate with ``per``; None for a rate where the corpus has no passage."""
        n = series.counts.get(period, 0)
        if self.per is None:
            return n
        base = self.period_passages.get(period, 0)
        return n * self.per / base if base else None

    def to_dict(self) -> dict:
        from .search import hit_json

        return {
            "by": self.by, "count": self.count, "per": self.per, "periods": self.periods,
            "period_passages": {p: self.period_passages.get(p, 0) for p in self.periods},
            "series": [{"query": s.query, "total": s.total, "undated": s.undated, "coarse": s.coarse,
                        "counts": {p: s.counts.get(p, 0) for p in self.periods},
                        "values": {p: _rounded(self.value(s, p)) for p in self.periods},
                        "first": hit_json(s.first) if s.first else None,
                        "last": hit_json(s.last) if s.last else None} for s in self.series],
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def trend(store, queries: list[str], by: str = "year", count: str = "passages", per: int | None = None,
          filters=None) -> Trend:
    from whoosh import query as q

    from .facets import FacetTable
    from .search import hit_from_fields, matching_docnums, parse_query

    if by not in PERIODS:
        raise UsageError(f"--by {by}: one of {', '.join(PERIODS)}")
    with store.searcher() as searcher:
        table = FacetTable.read(searcher, ("date", "doc"))
        dates, docs = table.values["date"], table.values["doc"]
        all_passages = list(searcher.docs_for_query(q.Term("kind", "passage")))
        period_passages = Counter(p for p in (period_of(dates[n], by) for n in all_passages) if p)
        out = []
        for text in queries:
            series = Series(text)
            matches = matching_docnums(searcher, text, filters)
            series.total = len(matches)
            seen: set[tuple[str, str]] = set()
            dated = []
            for n in matches:
                period = period_of(dates[n], by)
                if period is None:
                    if dates[n]:
                        series.coarse += 1
                    else:
                        series.undated += 1
                    continue
                dated.append(n)
                if count == "documents":
                    if (period, docs[n]) in seen:
                        continue
                    seen.add((period, docs[n]))
                series.counts[period] += 1
            if dated:
                literals = parse_query(text, searcher.reader()).literals
                ordered = sorted(dated, key=lambda n: (dates[n], n))
                series.first = hit_from_fields(searcher.stored_fields(ordered[0]), 0.0, literals)
                series.last = hit_from_fields(searcher.stored_fields(ordered[-1]), 0.0, literals)
            out.append(series)
    found = [p for s in out for p in s.counts]
    periods = period_range(min(found), max(found), by) if found else []
    return Trend(by, count, per, periods, out, period_passages)


BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(value: float, top: float, width: int = 40) -> str:
    if top <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / top * width * 8))
    return "█" * (eighths // 8) + (BLOCKS[eighths % 8] if eighths % 8 else "")


def format_trend(result: Trend) -> str:
    lines = []
    unit = "passages" if result.count == "passages" else "documents"
    if result.per:
        unit += f" per {result.per:,} passages of the period"
    for series in result.series:
        values = {p: result.value(series, p) for p in result.periods}
        top = max((v for v in values.values() if v is not None), default=0)
        lines.append(f"{series.query}  ({series.total} passages in all; {unit} by {result.by})")
        for period in result.periods:
            v = values[period]
            if v is None:
                lines.append(f"  {period:<8} {'—':>8}  (no passage of this period in the corpus)")
                continue
            shown = f"{v:.1f}" if result.per else f"{int(v)}"
            lines.append(f"  {period:<8} {shown:>8}  {bar(v, top)}")
        if series.undated:
            lines.append(f"  undated  {series.undated:>8}  (documents without a date, not in the rows above)")
        if series.coarse:
            lines.append(f"  {series.coarse} passages dated only to a year are not in the rows above")
        for label, hit in (("first", series.first), ("last", series.last)):
            if hit is not None:
                where = " › ".join([hit.title or hit.speech, *hit.path])
                lines.append(f"  {label}: {hit.metadata.get('date', '')}  {where}  {hit.doc}:{hit.line}")
        lines.append("")
    return "\n".join(lines)


def to_csv(result: Trend) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["period", *[s.query for s in result.series], "period_passages"])
    for period in result.periods:
        values = [_rounded(result.value(s, period)) for s in result.series]
        values = ["" if v is None else v for v in values]
        writer.writerow([period, *values, result.period_passages.get(period, 0)])
    undated = [s.undated for s in result.series]
    if any(undated):
        writer.writerow(["undated", *undated, ""])
    return buffer.getvalue()


def plot(result: Trend, path: str) -> None:
    """A line per query, periods on the x axis; Chinese labels in a CJK font."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = cjk_font()
    if font:
        plt.rcParams["font.family"] = [font, "sans-serif"]
    plt.rcParams["axes.unicode_minus"] = False
    figure, axes = plt.subplots(figsize=(10, 4.8), dpi=120)
    xs = range(len(result.periods))
    for series in result.series:
        ys = [result.value(series, p) for p in result.periods]
        axes.plot(xs, [float("nan") if y is None else y for y in ys], marker="o", linewidth=2, label=series.query)
    step = max(1, len(result.periods) // 16)
    axes.set_xticks(list(xs)[::step], result.periods[::step], rotation=45 if result.by != "year" else 0)
    what = "段落数" if result.count == "passages" else "文件数"
    axes.set_ylabel(f"{what}（每{result.per:,}段）" if result.per else what)
    axes.set_xlabel({"year": "年", "quarter": "季度", "month": "月"}[result.by])
    axes.set_title("提法热度：" + "、".join(s.query for s in result.series))
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC")
CJK_FONT_FILES = ("notosanscjk", "notoserifcjk", "sourcehansans", "wqy", "simhei", "msyh", "pingfang")


def cjk_font() -> str | None:
    """A font with Chinese glyphs that matplotlib can find (Noto CJK from fonts-noto-cjk first).
    matplotlib lists the system's fonts once, when it first runs, and keeps that list: a font
    installed since is looked for among the system's font files and added."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    found = _known_font(manager)
    if found is None:
        for path in font_manager.findSystemFonts():
            if any(hint in Path(path).name.lower() for hint in CJK_FONT_FILES):
                try:
                    manager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue  # a font file matplotlib cannot read
        found = _known_font(manager)
    return found


def _known_font(manager) -> str | None:
    names = {font.name for font in manager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)
