"""Reads of API tokens: a user only ever sees their own."""

from django.db.models import QuerySet
from django.http import Http404

from patrimoine.api.models import ApiToken
from patrimoine.organisations.access import Access


def tokens_of(access: Access) -> QuerySet[ApiToken]:
    if not access.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=access.user.pk).select_related("organisation")


def get_token_for(access: Access, pk) -> ApiToken:
    try:
        return tokens_of(access).get(pk=pk)
    except (ApiToken.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
