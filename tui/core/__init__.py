"""The headless core: session state, actions, settings, files. No Textual, no Rich."""
