"""The play worker's frame requests (:mod:`tui.app.play`): a frame asked for and drawn
leaves no request pending, however the two threads interleave.

Posting the request wakes the UI thread, which can draw the frame before the worker has
the GIL back (it did, several times a second, while xor played): the request must count as
drawn then, or the worker asks again only after ``ASK_AGAIN_S`` — a quarter of a second
without a frame.  Here the UI "thread" draws inside ``post_message``, the worst order."""
from tui.app.play import Player


class _DrawsBeforePostReturns:
    """Just enough of an app: ``post_message`` runs the frame's drawing at once."""

    def __init__(self, posted: bool = True) -> None:
        self.player = Player(self)
        self.posted, self.redraws = posted, 0

    def post_message(self, message) -> bool:
        if not self.posted:  # (the app is closing: nothing is posted)
            return False
        assert isinstance(message, Player.FrameWanted)
        self.player.draw()
        return True

    def redraw(self) -> None:
        self.redraws += 1


def test_a_frame_drawn_before_the_request_returns_leaves_none_pending():
    app = _DrawsBeforePostReturns()
    app.player._ask_for_frame()
    assert app.redraws == 1
    assert not app.player._asked.is_set()  # the next frame is asked for on time


def test_a_request_that_was_not_posted_is_not_pending():
    app = _DrawsBeforePostReturns(posted=False)
    app.player._ask_for_frame()
    assert app.redraws == 0
    assert not app.player._asked.is_set()
