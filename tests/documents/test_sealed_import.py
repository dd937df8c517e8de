"""A large Excel import with uploads sealed: the queued workbook lies sealed in the storage
until the worker takes it, and the worker imports the same values (it reads through the
storage, which opens the envelope)."""

from __future__ import annotations

from duibiao.assessment.models import Submission
from duibiao.crypto.sm4 import is_sealed
from duibiao.crypto.storage import read_stored
from duibiao.documents.import_jobs import import_job_run
from duibiao.documents.models import ImportJob
from tests.documents.conftest import padded
from tests.documents.test_import_jobs import good, post_template, queue_only, template_of_a  # noqa: F401  (queue_only is a fixture)

SM4_KEY = "00112233445566778899aabbccddeeff"


def test_a_sealed_queued_import_is_imported_by_the_worker(client_for, excel, settings, tmp_path, queue_only):  # noqa: F811
    settings.MEDIA_ROOT, settings.DUIBIAO_SM4_KEY, settings.DUIBIAO_ENCRYPT_UPLOADS = tmp_path, SM4_KEY, True
    data = padded(template_of_a(excel, good))
    post_template(client_for(excel["reporter_a"]), excel, data)
    job = ImportJob.objects.get()
    with read_stored(job.file.storage, job.file.name) as handle:
        stored = handle.read()
    assert is_sealed(stored) and not stored.startswith(b"PK") and data not in stored

    import_job_run(job.pk)  # the worker takes it
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert {s.indicator.code: s.value for s in Submission.objects.all()} == {"nl02": 95, "nl03": 88.5}
