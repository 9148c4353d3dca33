"""Logging filters, named in settings.LOGGING (so this module imports nothing of the app:
logging is configured before the apps are ready)."""

from __future__ import annotations

import logging


class PlannedRetryLog(logging.Filter):
    """django-tasks logs every failed attempt with its traceback. An attempt that failed as
    planned (`annotations.jobs.RetryScheduled`: the site was down, another attempt is due)
    is a line of ours already ("Job … attempt 1 failed (…); again at …"), so its record
    loses the traceback and becomes information. Unexpected failures keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        kind = type(error)
        if error is not None and (kind.__module__, kind.__qualname__) == (
            "annotations.jobs",
            "RetryScheduled",
        ):
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True
