"""PostgreSQL statements: `:name`/`?` parameters numbered to `$n` once (cached), and the batches of
`fetch_many`, several queries sent as one statement (see `Batch`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from .engine import NumberedSql, Params, Row, number_parameters
from .postgres_dialect import BATCH_IDS

_SQL_CACHE: dict[str, NumberedSql] = {}


def numbered(sql: str) -> NumberedSql:
    """`sql` with `$n` placeholders, rewritten once per statement text."""
    found = _SQL_CACHE.get(sql)
    if found is None:
        found = _SQL_CACHE[sql] = number_parameters(sql)
    return found


# A `$n` placeholder outside quoted strings and identifiers.
_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\$(\d+)")


@dataclass(frozen=True, slots=True)
class Batch:
    """Several queries as one statement: each query's rows as one JSON array (a column each), so a
    card's dozen queries cost one round trip, and one statement is one snapshot without a transaction."""

    sql: str
    parts: tuple[NumberedSql, ...]

    def args(self, params: Sequence[Params]) -> list[Any]:
        return [a for part, p in zip(self.parts, params, strict=True) for a in part.args(p)]


_BATCH_CACHE: dict[tuple[str | None, tuple[str, ...]], Batch] = {}


def _shifted(n: NumberedSql, offset: int) -> str:
    if not offset:
        return n.sql
    return _PLACEHOLDER.sub(lambda m: f"${int(m.group(1)) + offset}" if m.group(1) else m.group(0), n.sql)


def batch(ids: str | None, queries: tuple[str, ...]) -> Batch:
    """The statement of `queries` (after the ids query `ids`, if any), made once per set of texts."""
    key = (ids, queries)
    found = _BATCH_CACHE.get(key)
    if found is not None:
        return found
    parts: list[NumberedSql] = []
    offset = 0

    def part(sql: str) -> str:
        nonlocal offset
        n = numbered(sql)
        text = _shifted(n, offset)
        parts.append(n)
        offset += n.count
        return text

    prelude = ""
    columns = []
    if ids is not None:
        prelude = f"WITH {BATCH_IDS} AS MATERIALIZED ({part(ids)}) "
        columns.append(f"(SELECT coalesce(json_agg(q), '[]') FROM {BATCH_IDS} q)")
    columns += [f"(SELECT coalesce(json_agg(q), '[]') FROM ({part(sql)}) q)" for sql in queries]
    made = _BATCH_CACHE[key] = Batch(prelude + "SELECT " + ", ".join(columns), tuple(parts))
    return made


class JsonRow:
    """A row of a batch (decoded from JSON): by position and by column name, like asyncpg's Record."""

    __slots__ = ("_index", "_values")
    _indexes: ClassVar[dict[tuple[str, ...], dict[str, int]]] = {}

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        names = tuple(name for name, _ in pairs)
        index = self._indexes.get(names)
        if index is None:
            index = self._indexes[names] = {name: i for i, name in reversed(list(enumerate(names)))}
        self._index = index
        self._values = tuple(value for _, value in pairs)

    def __getitem__(self, key: int | str) -> Any:
        return self._values[key if isinstance(key, int) else self._index[key]]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        names = sorted(self._index, key=self._index.__getitem__)  # the index holds each name's first column
        return f"JsonRow({dict(zip(names, self._values, strict=False))!r})"


def json_rows(text: str) -> list[Row]:
    rows: list[Row] = json.loads(text, object_pairs_hook=JsonRow)  # a JSON array of objects: JsonRows
    return rows
