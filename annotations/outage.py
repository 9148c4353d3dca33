"""Whether a database error means "the database is not answering" (an outage, worth a 503
and a retry) rather than a bug in a query. Shared by the middleware, the error views and the
services that must stop rather than carry on."""

from django.db import InterfaceError, OperationalError

# Errors that mean "the database is not answering", as opposed to a bug in a query.
_OUTAGE_SIGNS = (
    "connection",
    "connect",
    "server closed",
    "terminating",
    "shutting down",
    "could not",
    "timeout",
    "database is locked",
    "no route",
    "refused",
)


def is_outage(exc: BaseException) -> bool:
    if isinstance(exc, InterfaceError):
        return True
    if isinstance(exc, OperationalError):
        text = str(exc).lower()
        return any(sign in text for sign in _OUTAGE_SIGNS)
    return False
