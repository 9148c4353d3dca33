"""The REST API under /api/v1/: one more door onto the same services (Django REST framework,
drf-spectacular for the OpenAPI schema). Input is checked by the web's own forms and filter
sets (`binding`); every write goes through `annotations.services`, which checks the right;
every refusal is an RFC 9457 problem (`problems`)."""
