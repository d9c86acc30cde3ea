"""The Textual app: the App, its key table, widgets, screens and workers."""
