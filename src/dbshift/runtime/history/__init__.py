"""The applied history beside the version table: its table, the revision files' checksums, and
the statement journal that lets a run resume where DDL commits by itself (see the README's
"Applied history, checksums and resume")."""
