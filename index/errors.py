"""One user-facing error type: its message is shown as is, never a traceback."""


class HoidapError(Exception):
    """An error whose message is meant for the user (Vietnamese first)."""


class IndexBusyError(HoidapError):
    """Another process is writing to the same data directory."""


class IndexMismatchError(HoidapError):
    """The stored index was built with other settings (embedder, schema)."""


class IndexMissingError(HoidapError):
    """No index has been built in the data directory yet."""
