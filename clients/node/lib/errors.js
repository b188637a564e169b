// The errors every MLOS Node.js client rejects with, whatever the protocol (as the Python
// client's mlos_client.errors): MlosError carries the server's `message`, the `protocol`
// ("http" or "ipc") and the protocol's `status` (HTTP status code, or the IPC status name of
// docs/ipc.md). The subclass says the kind of failure; it does not depend on the protocol.
// TransportError: no server, a broken connection or a reply that breaks the protocol.
'use strict';

class MlosError extends Error {
  constructor(message, status = null, protocol = null) {
    super(status === null ? message : `${message} (${protocol} status ${status})`);
    this.name = new.target.name;
    this.serverMessage = message;
    this.status = status;
    this.protocol = protocol;
  }
}

class InvalidArgumentError extends MlosError {}
class NotFoundError extends MlosError {}
class AlreadyExistsError extends MlosError {}
class UnavailableError extends MlosError {}
class OutOfMemoryError extends MlosError {}
class InternalError extends MlosError {}
class UnsupportedError extends MlosError {}
class TooLargeError extends MlosError {}
class TransportError extends MlosError {}

const HTTP_STATUS_ERRORS = {
  400: InvalidArgumentError, 404: NotFoundError, 405: UnsupportedError, 409: AlreadyExistsError,
  413: TooLargeError, 431: TooLargeError, 500: InternalError, 501: UnsupportedError,
  503: UnavailableError,
};

// docs/ipc.md "Status codes": code -> [name, class].
const IPC_STATUS = {
  1: ['INVALID_ARGUMENT', InvalidArgumentError], 2: ['NOT_FOUND', NotFoundError],
  3: ['ALREADY_EXISTS', AlreadyExistsError], 4: ['UNAVAILABLE', UnavailableError],
  5: ['OUT_OF_MEMORY', OutOfMemoryError], 6: ['INTERNAL', InternalError],
  7: ['UNSUPPORTED', UnsupportedError], 8: ['TOO_LARGE', TooLargeError],
};

function httpError(status, message) {
  const Kind = HTTP_STATUS_ERRORS[status] || MlosError;
  return new Kind(message, status, 'http');
}

function ipcError(code, message) {
  const [name, Kind] = IPC_STATUS[code] || [`status ${code}`, MlosError];
  return new Kind(message, name, 'ipc');
}

module.exports = {
  MlosError, InvalidArgumentError, NotFoundError, AlreadyExistsError, UnavailableError,
  OutOfMemoryError, InternalError, UnsupportedError, TooLargeError, TransportError, httpError,
  ipcError,
};
