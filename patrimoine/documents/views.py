from django.http import FileResponse, Http404

from patrimoine.documents.models import Document


def download(request, pk):
    """Serve a document to a user whose scope includes its organisation (404 otherwise)."""
    try:
        document = Document.objects.get(pk=pk)
    except Document.DoesNotExist as exc:
        raise Http404 from exc
    response = FileResponse(document.file.open("rb"), content_type=document.mime_type, filename=document.original_name)
    response["Cache-Control"] = "private, max-age=3600"
    return response
