"""Operation objects (``alembic.operations.ops``): one small class per directive, by kind."""

from .base import (
    DowngradeOps,
    MigrateOperation,
    MigrationScript,
    ModifyTableOps,
    OpContainer,
    UpgradeOps,
)
from .columns import AddColumnOp, AlterColumnOp, DropColumnOp
from .constraints import (
    AddConstraintOp,
    CreateCheckConstraintOp,
    CreateForeignKeyOp,
    CreatePrimaryKeyOp,
    CreateUniqueConstraintOp,
    DropConstraintOp,
    ValidateConstraintOp,
)
from .data import BulkInsertOp, ExecuteSQLOp
from .enums import (
    AddEnumValueOp,
    CreateEnumTypeOp,
    DropEnumTypeOp,
    EnumTypeOp,
    RecreateEnumTypeOp,
)
from .exclude import CreateExcludeConstraintOp
from .indexes import CreateIndexOp, DropIndexOp
from .tables import (
    CreateTableCommentOp,
    CreateTableOp,
    DropTableCommentOp,
    DropTableOp,
    RenameTableOp,
)

__all__ = [
    "AddColumnOp",
    "AddConstraintOp",
    "AddEnumValueOp",
    "AlterColumnOp",
    "BulkInsertOp",
    "CreateCheckConstraintOp",
    "CreateEnumTypeOp",
    "CreateExcludeConstraintOp",
    "CreateForeignKeyOp",
    "CreateIndexOp",
    "CreatePrimaryKeyOp",
    "CreateTableCommentOp",
    "CreateTableOp",
    "CreateUniqueConstraintOp",
    "DowngradeOps",
    "DropColumnOp",
    "DropConstraintOp",
    "DropEnumTypeOp",
    "DropIndexOp",
    "DropTableCommentOp",
    "DropTableOp",
    "EnumTypeOp",
    "ExecuteSQLOp",
    "MigrateOperation",
    "MigrationScript",
    "ModifyTableOps",
    "OpContainer",
    "RecreateEnumTypeOp",
    "RenameTableOp",
    "UpgradeOps",
    "ValidateConstraintOp",
]
