"""The key footer: Textual's :class:`~textual.widgets.Footer`, rebuilt only when the keys it
shows change.

Textual's footer throws its keys away and builds them again whenever the screen says its
bindings *may* have changed (every focus change, the screen's first resume, each
``refresh_bindings``): five times before tinynet-tui's first frame, each re-styling every
key (≈ 25 ms a time under load, the largest single cost of the first frame after NumPy).
This footer builds its keys when it is composed (Textual's waits for the screen's first
refresh, then builds them, lays out and paints again: the keys came last, after the
panels), remembers what it built — for each shown binding its key, key display,
description, action, enabled state, tooltip and group — and skips a rebuild that would
build the same keys.  What it draws is Textual's footer's, unchanged.
"""
from __future__ import annotations

from textual.widgets import Footer


class KeyFooter(Footer):
    """A :class:`~textual.widgets.Footer` that recomposes only when its keys change."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._built: tuple | None = None  #: what the keys were last built from

    def _keys(self) -> tuple:
        """Everything :meth:`Footer.compose` builds the keys from (hashable)."""
        if not self._bindings_ready:
            return ()
        app = self.app
        shown = tuple(
            (b.key, app.get_key_display(b), b.description, b.action, enabled, tooltip,
             None if b.group is None else (b.group.description, b.group.compact))
            for _node, b, enabled, tooltip in self.screen.active_bindings.values() if b.show)
        palette = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            found = self.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, b, enabled, tooltip = found
                palette = (b.key, app.get_key_display(b), b.description, b.action, enabled,
                           b.tooltip)
        return shown, palette, self.compact, self.combine_groups

    def compose(self):
        """The keys at once (the app's and the screen's bindings are known when the footer
        is composed), so the first frame has them without a rebuild and a repaint after
        the screen's first refresh; a focused widget's own keys come as before, by
        :meth:`recompose`."""
        if self.is_attached and not self._bindings_ready:
            self.set_reactive(Footer._bindings_ready, True)
        self._built = self._keys()
        yield from super().compose()

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys()
        if keys == self._built:  # the same keys: nothing to build again
            return
        self._built = keys
        await super().recompose()
