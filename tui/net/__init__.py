"""Over the network: share (teacher), follow (learner), serve (browser)."""
