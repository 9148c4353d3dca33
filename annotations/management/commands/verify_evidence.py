"""Re-hash every stored capture and report any mismatch (exit 1 if there is one):

- each stored file (CaptureBlob) against the SHA-256 it is keyed by, and its size;
- each capture's payload, read back from its WARC, against `payload_sha256`;
- each capture's extracted text against `text_sha256`.

    python manage.py verify_evidence
"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from annotations import capture
from annotations.management.refusing import RefusingCommand
from annotations.models import Capture, CaptureBlob


def mismatches():
    """Each problem found, as a line a person can read."""
    for blob in CaptureBlob.objects.order_by("sha256").iterator(chunk_size=20):
        data = bytes(blob.data)
        if capture.sha256(data) != blob.sha256 or len(data) != blob.size:
            yield f"stored file {blob.sha256}: its bytes no longer hash to its key (or size)"
    captures = Capture.objects.select_related("warc").order_by("pk")
    for kept in captures.iterator(chunk_size=20):
        try:
            payload = capture.warc_payload(bytes(kept.warc.data))
        except Exception as exc:  # a WARC that no longer parses is a finding, not a crash
            payload, problem = None, f"its WARC does not parse ({exc})"
        else:
            problem = "its WARC has no response record"
        if payload is None:
            yield f"capture {kept.pk} of {kept.requested_url}: {problem}"
        elif capture.sha256(payload) != kept.payload_sha256:
            yield f"capture {kept.pk} of {kept.requested_url}: the payload hash differs"
        if capture.text_sha256(kept.text) != kept.text_sha256:
            yield f"capture {kept.pk} of {kept.requested_url}: the text hash differs"


class Command(RefusingCommand):
    help = "Re-hash every stored evidence capture and report mismatches (exit 1 if any)."

    def handle(self, *args, **options) -> None:
        found = 0
        for line in mismatches():
            found += 1
            self.stderr.write(line)
        blobs, captures = CaptureBlob.objects.count(), Capture.objects.count()
        if found:
            raise CommandError(
                _("%(found)s mismatch(es) in %(captures)s capture(s), %(blobs)s file(s).")
                % {"found": found, "captures": captures, "blobs": blobs}
            )
        self.stdout.write(
            _("All %(captures)s capture(s) and %(blobs)s stored file(s) verified.")
            % {"captures": captures, "blobs": blobs}
        )
