"""Whoosh's boolean matchers, mended, and the AND of a query's NOTs made one ANDNOT.

A literal's matcher steps over the documents below the floor a top-N search gives it
(``ScoredDocsMatcher.replace``), which Whoosh's own term matchers never do; that brought out
three faults of Whoosh's compound matchers that left passages out of a top N, or let in ones a
NOT excludes. They are mended here, on Whoosh's classes, because Whoosh builds these matchers
itself (a union turns into an AND-MAYBE when one side can no longer reach the floor):

- ``AndMaybeMatcher.skip_to`` moved its optional side to the target, not to where the required
  side landed: the optional side could stay behind, and a passage in both lost that side's score.
- ``AndNotMatcher`` checked the excluded side only when it stood on the same document: built
  with that side behind (a replacement does that), it let the first excluded passage through;
  and its ``skip_to`` asked the required side for its document after that side had run out
  (an IndexError, a traceback for ``(a ANDNOT b) OR c``).
- ``InverseMatcher`` (a NOT inside an OR) scores 1 but gave its child's best score as its bound,
  and raising its floor raised its child's: passages the NOT excludes came back.

A NOT inside an AND is made Whoosh's ``AndNot`` (``and_not``): its excluded side is read without
scores, where an AND scored every passage of it through an inverse matcher.
"""

from __future__ import annotations

from whoosh import matching, query
from whoosh.matching.wrappers import InverseMatcher


def _and_maybe_skip_to(self, id):
    if not self.a.is_active():
        raise matching.ReadTooFar
    moved = self.a.skip_to(id)
    if self.a.is_active() and self.b.is_active() and self.b.id() < self.a.id():
        moved = self.b.skip_to(self.a.id()) or moved
    return moved


def _and_not_find_first(self):
    if self.a.is_active() and self.b.is_active():
        self._find_next()  # catches the excluded side up, and steps over what it excludes


def _and_not_skip_to(self, id):
    if not self.a.is_active():
        raise matching.ReadTooFar
    if id < self.a.id():
        return
    self.a.skip_to(id)
    if self.a.is_active() and self.b.is_active():
        self.b.skip_to(id)
        self._find_next()


def _inverse_quality(self):
    return self._weight if self.is_active() else 0.0


def _inverse_replace(self, minquality=0):
    if not self.is_active() or (minquality and self._weight < minquality):
        return matching.NullMatcher()
    return self  # its child says what to exclude, whatever the floor


matching.AndMaybeMatcher.skip_to = _and_maybe_skip_to
matching.AndNotMatcher._find_first = _and_not_find_first
matching.AndNotMatcher.skip_to = _and_not_skip_to
InverseMatcher.max_quality = InverseMatcher.block_quality = _inverse_quality
InverseMatcher.replace = _inverse_replace


def and_not(subqueries: list):
    """The AND of ``subqueries``, with its NOTs taken out of it as one ``AndNot``."""
    negative = [sub.query for sub in subqueries if isinstance(sub, query.Not)]
    positive = [sub for sub in subqueries if not isinstance(sub, query.Not)]
    if not negative or not positive:
        return query.And(subqueries)
    return query.AndNot(positive[0] if len(positive) == 1 else query.And(positive),
                        negative[0] if len(negative) == 1 else query.Or(negative))
