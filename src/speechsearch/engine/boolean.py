"""Whoosh's ANDNOT with its skip mended, and the AND of a query's NOTs made one.

Whoosh's ``And`` matches a ``Not`` with an inverse matcher that scores 1 but reports its child's
best score as its bound; a top-N search lowers its floor by that bound, and with a literal's
matcher (which steps over documents below the floor) it left out passages that belonged in the
top N. ``AndNot`` scores a document by its positive side alone and reads the negative side
without scores. Its ``skip_to`` asked the positive side for its document after that side had run
out, which list-backed matchers (Whoosh's ``ListMatcher`` and the literal's) answer with an
IndexError: ``(a ANDNOT b) OR c`` failed with a traceback.
"""

from __future__ import annotations

from whoosh import matching, query


class AndNotMatcher(matching.AndNotMatcher):
    def skip_to(self, id):
        if not self.a.is_active():
            raise matching.ReadTooFar
        if id < self.a.id():
            return
        self.a.skip_to(id)
        if self.a.is_active() and self.b.is_active():
            self.b.skip_to(id)
            self._find_next()


class AndNot(query.AndNot):
    def matcher(self, searcher, context=None):
        return AndNotMatcher(self.a.matcher(searcher, context), self.b.matcher(searcher, searcher.boolean_context()))


def and_not(subqueries: list):
    """The AND of ``subqueries``, with its NOTs taken out of it as one ``AndNot``."""
    negative = [sub.query for sub in subqueries if isinstance(sub, query.Not)]
    positive = [sub for sub in subqueries if not isinstance(sub, query.Not)]
    if not negative or not positive:
        return query.And(subqueries)
    return AndNot(positive[0] if len(positive) == 1 else query.And(positive),
                  negative[0] if len(negative) == 1 else query.Or(negative))
