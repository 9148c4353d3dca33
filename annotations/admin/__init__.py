"""The Django admin for reviewers and admins. Every save, delete and action calls services;
a refused form, save or action answers 422 with its message (`common.RefusalsAre422`)."""

from .articles import ArticleAdmin
from .claims import AnnotationAdmin
from .cues import DeskCueAdmin
from .sources import PendingSourceAdmin, SourceAdmin
from .tokens import ApiTokenAdmin
from .users import UserWithProfileAdmin
from .webhooks import WebhookDeliveryAdmin, WebhookEndpointAdmin

__all__ = [
    "AnnotationAdmin",
    "ApiTokenAdmin",
    "ArticleAdmin",
    "DeskCueAdmin",
    "PendingSourceAdmin",
    "SourceAdmin",
    "UserWithProfileAdmin",
    "WebhookDeliveryAdmin",
    "WebhookEndpointAdmin",
]
