"""Revision scripts: the revision graph (:mod:`.revision`) and the script directory
(:mod:`.directory`).  Mirrors ``alembic.script``."""

from .directory import Script, ScriptDirectory
from .revision import Revision, RevisionMap

__all__ = ["Revision", "RevisionMap", "Script", "ScriptDirectory"]
