"""Lessons: Markdown files a teacher writes (format), set up on a live session and
filled from the engine (live), progress per user, worksheets, and `tinynet-tui learn` (cli)."""
