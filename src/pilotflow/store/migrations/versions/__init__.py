"""The revisions, oldest first: ``0001_initial`` creates schema version 1."""
