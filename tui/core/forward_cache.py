"""Memoised forward passes: ``ŷ = net.predict(X)`` is computed again only when the
weights (or the activations, or ``X``) changed since the last call for that slot.

A frame asks for the same predictions after every key (a selection, a granularity change, a
redraw): on a 1 000-layer network that was a full forward pass per frame.  The key is the
weights' bytes (one ``tobytes`` per layer, ~50× cheaper than the pass), so every way the
weights change (a step, undo, an edit, a load) is seen without a counter to bump.

Shapes: ``X`` (N, n_in) → ŷ (N, n_out); :func:`weights_key` → bytes.
"""
from __future__ import annotations

import weakref

import numpy as np

#: every per-network cache (this module's, the neuron maps'): what a fork inherits
_CACHES: list = []


def per_network() -> "weakref.WeakKeyDictionary":
    """A new cache keyed by network, whose entries a fork of the network starts from
    (:func:`inherit`).  An entry must carry its own key (the weights' bytes …) and be
    checked against it before use, and be a tuple (shared) or a dict of them (copied)."""
    cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
    _CACHES.append(cache)
    return cache


#: per network: {slot: (key, ŷ)}
_CACHE = per_network()
#: forward passes :func:`predict` ran (not served from the cache): tests count the work
passes = 0
#: above this many parameters the key (a copy of every weight, held) would cost memory and a
#: copy per frame comparable to the pass itself: such networks are not cached
MAX_CACHED_PARAMS = 1_000_000


def weights_key(net) -> bytes:
    """Every layer's W and b, as bytes: equal keys, equal parameters."""
    return b"".join(layer.W.tobytes() + layer.b.tobytes() for layer in net.layers)


def net_key(net, activations=None) -> tuple:
    """What ``net.predict`` gives besides its input depends on: the weights' bytes, the
    activations' names (``activations``: ``net.activations`` already read, or None) and
    the dtype.  O(layers): a frame reads it once (:class:`tui.view.frame.NetReads`) for
    every cache it asks."""
    acts = tuple(net.activations if activations is None else activations)
    return weights_key(net), acts, str(net.dtype)


def predict(net, X: np.ndarray, slot: str = "", key: tuple | None = None) -> np.ndarray:
    """``net.predict(X)`` (N, n_out), from the cache while the weights, the activations,
    the dtype and ``X`` are those of the last call for ``slot``; a fresh copy each time.
    ``key``: :func:`net_key` of ``net`` as it is now, when the caller has it (else read
    here)."""
    global passes
    X = np.asarray(X)
    if net.n_params > MAX_CACHED_PARAMS:
        passes += 1
        return net.predict(X)
    key = (net_key(net) if key is None else key) + (X.shape, X.dtype.str, X.tobytes())
    slots = _CACHE.setdefault(net, {})
    cached = slots.get(slot)
    if cached is None or cached[0] != key:
        passes += 1
        cached = slots[slot] = (key, net.predict(X))
    return cached[1].copy()


def inherit(net, copy) -> None:
    """Let ``copy`` (a fork of ``net``, in the same state) start from ``net``'s entries in
    every per-network cache (the forward passes, the neuron maps), so the first frame
    after a fork computes neither again.  Safe whatever happens next: an entry is used
    only while its key (the weights' bytes, the activations, ``X`` …) still matches."""
    for cache in _CACHES:
        entry = cache.get(net)
        if entry is not None:  # the (key, value) tuples are never written: shared
            cache[copy] = dict(entry) if isinstance(entry, dict) else entry
