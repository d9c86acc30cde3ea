"""What each key does, by job: the App (:mod:`tui.app.app`) only routes.

Each module is a mixin of ``action_…`` methods (and the message handlers of its job) that
the App class combines; the key table (:mod:`tui.app.keys`) names the actions:

- :mod:`.stepping` — step, back, play, speed, granularity, selection, samples, quiz,
  the play worker's messages;
- :mod:`.run` — dialogs that change the run (jump, changes, edit, lr, breakpoints), reset,
  new seed, next task, gradient check, branches, compare, sweep;
- :mod:`.views` — view state (log scale, large map, swapped panel, batch losses) and help;
- :mod:`.lessons` — the lesson and slow-motion keys;
- :mod:`.files` — saving and exporting, and the export worker's messages.

Every mixin needs the App's ``session``, ``pause``, ``redraw`` and ``say``.
"""
