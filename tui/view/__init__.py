"""The view model: the immutable Frame, its builder, number formats, plots. No Textual, no Rich."""
