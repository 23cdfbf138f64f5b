<%!
import re

%><%
    engine_names = [n for n in re.split(r"[,\s]+", config.get_main_option("databases") or "") if n]
%>"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from collections.abc import Sequence

import sqlalchemy as sa
from dbshift import op
${imports if imports else ""}

# revision identifiers, read by dbshift (and Alembic).
revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade(engine_name: str) -> None:
    """Apply this revision to the database named ``engine_name``."""
    globals()[f"upgrade_{engine_name}"]()


def downgrade(engine_name: str) -> None:
    """Revert this revision on the database named ``engine_name``."""
    globals()[f"downgrade_{engine_name}"]()
## One upgrade_<name>() / downgrade_<name>() pair per name in the ini's `databases` option.
% for engine_name in engine_names:


def upgrade_${engine_name}() -> None:
    ${context.get("%s_upgrades" % engine_name) or "pass"}


def downgrade_${engine_name}() -> None:
    ${context.get("%s_downgrades" % engine_name) or "pass"}
% endfor
