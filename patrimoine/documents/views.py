from django.views.decorators.http import require_safe

from patrimoine.core.files import stored_file_response
from patrimoine.core.services import audit_read
from patrimoine.documents.selectors import get_document_for


@require_safe
def download(request, pk):
    """Serve a document to a user who may see the object it is attached to (404 otherwise)."""
    document = get_document_for(request.access, pk)
    audit_read(access=request.access, action="document.download", target=document, message=document.original_name)
    response = stored_file_response(document.file, content_type=document.mime_type, filename=document.original_name)
    response["Cache-Control"] = "private, max-age=3600"
    return response
