"""Hourly limits on what one person files (hoax reports, blank-spot reports).

Counted from the rows the person filed in the hour before now: nothing is kept in memory, the
count holds across restarts, and a caller that checks it inside the transaction that writes
the new row cannot let two filings at the same moment both slip under the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.clock import isoformat
from bot.storage import Database

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class HourlyQuota:
    """Rows of `table` (never user input) filed by one person, by `created_at`."""

    table: str
    person_column: str = "reporter_id"

    @property
    def _sql(self) -> str:
        where = f"{self.person_column} = ? AND created_at > ?"
        return f"SELECT COUNT(*) FROM {self.table} WHERE {where}"

    async def used(self, db: Database, person_id: int, now: datetime) -> int:
        """What the person filed in the hour before `now`."""
        return int(await db.fetchval(self._sql, (person_id, isoformat(now - WINDOW))))

    async def used_in(self, conn: aiosqlite.Connection, person_id: int, now: datetime) -> int:
        """The same, inside the caller's transaction (see the module docstring)."""
        async with conn.execute(self._sql, (person_id, isoformat(now - WINDOW))) as cursor:
            row = await cursor.fetchone()
        return 0 if row is None else int(row[0])
