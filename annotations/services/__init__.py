"""Every write to sources, articles and claims goes through here: views, admin and commands.

Each function is keyword-only, checks its user's right (`permissions.require_…`), runs in
one transaction and validates before it writes, so normalising, version checks and anchoring
cannot be skipped. Each module lists what it offers in its `__all__`; this package offers
them all (bulk import lives in `services.imports`).
"""

from . import (
    articles,
    claims,
    desk_cues,
    evidence,
    profiles,
    restore,
    shared_claims,
    sources,
    suggestions,
    tokens,
    url_imports,
    webhooks,
)
from .articles import *  # noqa: F403
from .claims import *  # noqa: F403
from .desk_cues import *  # noqa: F403
from .evidence import *  # noqa: F403
from .profiles import *  # noqa: F403
from .restore import *  # noqa: F403
from .shared_claims import *  # noqa: F403
from .sources import *  # noqa: F403
from .suggestions import *  # noqa: F403
from .tokens import *  # noqa: F403
from .url_imports import *  # noqa: F403
from .webhooks import *  # noqa: F403

__all__ = [
    *articles.__all__,
    *claims.__all__,
    *desk_cues.__all__,
    *evidence.__all__,
    *profiles.__all__,
    *restore.__all__,
    *shared_claims.__all__,
    *sources.__all__,
    *suggestions.__all__,
    *tokens.__all__,
    *url_imports.__all__,
    *webhooks.__all__,
]
