"""The one door to stored files: ``MEDIA_URL`` points here, nothing under ``MEDIA_ROOT`` is served statically."""

from pathlib import PurePosixPath

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from openleg.protected_files import protected_file_for


@login_required
def protected_file(request, name: str):
    stored = protected_file_for(user=request.user, name=name)
    if stored is None:
        # The same answer for "no such file" and "not yours": a name must not reveal that the file exists.
        raise Http404(_("Datei nicht gefunden."))
    return FileResponse(stored.open("rb"), as_attachment=True, filename=PurePosixPath(name).name)
