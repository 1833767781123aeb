"""QuestDB access: the managed server, migrations, ILP writes and PGWire reads."""

from deltaworks_core.questdb.group_commit import GroupCommit
from deltaworks_core.questdb.migrations import MigrationError, migrate
from deltaworks_core.questdb.reader import QuestDBReader, WalNotAppliedError
from deltaworks_core.questdb.server import ManagedQuestDB, QuestDBServerError
from deltaworks_core.questdb.writer import (
    IlpRow,
    QuestDBWriteError,
    QuestDBWriter,
    SchemaMismatchError,
)

__all__ = [
    "GroupCommit",
    "IlpRow",
    "ManagedQuestDB",
    "MigrationError",
    "QuestDBReader",
    "QuestDBServerError",
    "QuestDBWriteError",
    "QuestDBWriter",
    "SchemaMismatchError",
    "WalNotAppliedError",
    "migrate",
]
