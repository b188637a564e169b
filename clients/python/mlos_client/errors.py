"""The exceptions every MLOS client raises, whatever the protocol.

A failed request raises MlosError (or one of its subclasses, one per kind of failure) carrying the
server's own message, the protocol it came over and the protocol's status: the HTTP status code,
the IPC status name (docs/ipc.md) or the gRPC status code name. The kind does not depend on the
protocol: a missing model is NotFoundError over HTTP (404), IPC (NOT_FOUND) and gRPC (NOT_FOUND).
Transport failures (no server, a broken connection, a reply that breaks the protocol) raise
TransportError (an MlosError too) naming where and what.
"""


class MlosError(Exception):
    """A request that failed. `message`: the server's message (or the client's, for transport
    failures); `status`: the protocol's status (int for HTTP, name for IPC and gRPC);
    `protocol`: "http", "ipc" or "grpc"."""

    def __init__(self, message, status=None, protocol=None):
        super().__init__(message if status is None else f"{message} ({protocol} status {status})")
        self.message = message
        self.status = status
        self.protocol = protocol


class InvalidArgumentError(MlosError):
    """The request was wrong (HTTP 400, IPC INVALID_ARGUMENT, gRPC INVALID_ARGUMENT)."""


class NotFoundError(MlosError):
    """Unknown model, region or route (HTTP 404, IPC NOT_FOUND, gRPC NOT_FOUND)."""


class AlreadyExistsError(MlosError):
    """A model id registered from another path (HTTP 409, IPC ALREADY_EXISTS)."""


class UnavailableError(MlosError):
    """Overloaded, stopping or a failed load: retry later (HTTP 503, IPC UNAVAILABLE)."""


class OutOfMemoryError(MlosError):
    """The model does not fit the memory budget (IPC OUT_OF_MEMORY, gRPC RESOURCE_EXHAUSTED)."""


class InternalError(MlosError):
    """The model or its plugin failed (HTTP 500, IPC INTERNAL, gRPC INTERNAL)."""


class UnsupportedError(MlosError):
    """Not supported by the server or by this protocol (HTTP 501/405, IPC UNSUPPORTED, gRPC
    UNIMPLEMENTED)."""


class TooLargeError(MlosError):
    """The request is over the server's size limit (HTTP 413, IPC TOO_LARGE)."""


class TransportError(MlosError):
    """No server, a connection that broke, or a reply that does not follow the protocol."""


HTTP_STATUS_ERRORS = {400: InvalidArgumentError, 404: NotFoundError, 405: UnsupportedError,
                      409: AlreadyExistsError, 413: TooLargeError, 431: TooLargeError,
                      500: InternalError, 501: UnsupportedError, 503: UnavailableError}

# docs/ipc.md "Status codes": code -> (name, exception class).
IPC_STATUS = {1: ("INVALID_ARGUMENT", InvalidArgumentError), 2: ("NOT_FOUND", NotFoundError),
              3: ("ALREADY_EXISTS", AlreadyExistsError), 4: ("UNAVAILABLE", UnavailableError),
              5: ("OUT_OF_MEMORY", OutOfMemoryError), 6: ("INTERNAL", InternalError),
              7: ("UNSUPPORTED", UnsupportedError), 8: ("TOO_LARGE", TooLargeError)}

GRPC_STATUS_ERRORS = {"INVALID_ARGUMENT": InvalidArgumentError, "NOT_FOUND": NotFoundError,
                      "ALREADY_EXISTS": AlreadyExistsError, "UNAVAILABLE": UnavailableError,
                      "RESOURCE_EXHAUSTED": OutOfMemoryError, "INTERNAL": InternalError,
                      "UNIMPLEMENTED": UnsupportedError, "FAILED_PRECONDITION": UnavailableError,
                      "OUT_OF_RANGE": InvalidArgumentError}


def http_error(status, message):
    """The exception for an HTTP error reply."""
    return HTTP_STATUS_ERRORS.get(status, MlosError)(message, status, "http")


def ipc_error(code, message):
    """The exception for an IPC reply with a non-zero status code."""
    name, kind = IPC_STATUS.get(code, (f"status {code}", MlosError))
    return kind(message, name, "ipc")


def grpc_error(code_name, message):
    """The exception for a gRPC status (its code's name, e.g. "NOT_FOUND")."""
    return GRPC_STATUS_ERRORS.get(code_name, MlosError)(message, code_name, "grpc")
