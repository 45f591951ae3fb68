"""What every API endpoint shares: the scoped base viewset and the error format."""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils import timezone
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from . import audit, scope
from .dates import DateKind, date_problem
from .errors import DomainError
from .text import NAME_FIELDS, text_problem


def domain_error_body(error: DomainError) -> dict[str, list[str]]:
    return {(field or api_settings.NON_FIELD_ERRORS_KEY): messages for field, messages in error.errors.items()}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus DomainError → 400 with the Chinese message under its field; refusals go
    into the security trail."""
    if isinstance(exc, DomainError):
        return Response(domain_error_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied | exceptions.PermissionDenied) and "request" in context:
        audit.note_denied(context["request"], exc)
    return drf_exception_handler(exc, context)


class BlankAsNull(serializers.ChoiceField):
    """A choice the record may leave unset (学位, 出党方式): shown as null, never as ''."""

    def to_representation(self, value: Any) -> Any:
        return None if value in ("", None) else super().to_representation(value)


class RecordSerializer(serializers.ModelSerializer[Any]):
    """The base of the API's model serializers: a choice the model allows to be blank reads as
    null, and the schema declares it nullable, so a generated client can type it."""

    def build_standard_field(
        self, field_name: str, model_field: Any
    ) -> tuple[type[serializers.Field[Any, Any, Any, Any]], dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if "choices" in kwargs and kwargs.pop("allow_blank", False):
            field_class, kwargs["allow_null"] = BlankAsNull, True
        return field_class, kwargs


class OptionalChoice(serializers.ChoiceField):
    """An input choice that may be cleared: '' or null, both stored as ''."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_blank=True, allow_null=True, **kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        value = super().run_validation(data)
        return "" if value is None else value


class ServiceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Any],
):
    """The base of the domain viewsets. What they serve is always the scoped part of their
    ``queryset``: DRF's get_object looks ids up in it, so an object outside the scope is a 404 like
    a missing one. A write parses its input with ``write_serializer_class`` (types and formats
    only) and hands it to a service, whose DomainError becomes a 400 with the Chinese message under
    the field. Changes are PATCH only."""

    write_serializer_class: type[serializers.Serializer[Any]]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Any]:
        return scope.scoped(self.request.user, super().get_queryset())

    def get_object(self) -> Any:
        field = self.lookup_url_kwarg or self.lookup_field
        lookup = {self.lookup_field: self.kwargs[field]}
        try:
            obj = self.get_queryset().get(**lookup)
        except (ObjectDoesNotExist, ValueError, TypeError):
            scope.note_out_of_scope(self.request.user, self.get_queryset().model._default_manager.all(), lookup)
            raise Http404 from None
        self.check_object_permissions(self.request, obj)
        return obj

    def parse(
        self, request: Request, serializer_class: type[serializers.Serializer[Any]] | None = None
    ) -> dict[str, Any]:
        """The request body, checked by ``serializer_class`` (an action's own input, every field as
        declared) or else by ``write_serializer_class`` (create and PATCH: only the fields sent)."""
        partial = serializer_class is None
        serializer = (serializer_class or self.write_serializer_class)(
            data=request.data, context=self.get_serializer_context(), partial=partial
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if problems := text_problems(data):
            raise serializers.ValidationError(problems)
        return data

    @staticmethod
    def one_of(rows: QuerySet[Any], field: str, pk: int, owner: str, what: str) -> Any:
        """The row ``pk`` among ``rows`` (the requested object's own), else a 400 under ``field``."""
        found = rows.filter(pk=pk).first()
        if found is None:
            raise serializers.ValidationError({field: [f"{owner}没有编号为{pk}的{what}"]})
        return found

    def respond(self, obj: Model, code: int = status.HTTP_200_OK) -> Response:
        """The object as this viewset shows it, read again through the scope."""
        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(fresh).data, status=code)


def text_problems(data: Any, field: str = "", key: str = "") -> dict[str, list[str]]:
    """Each field of a request body whose text holds control characters (a name: also invisible
    or direction-changing ones), with the reason; what is nested is reported under its outer field."""
    found: dict[str, list[str]] = {}
    if isinstance(data, dict):
        for inner, value in data.items():
            for name, problems in text_problems(value, field or str(inner), str(inner)).items():
                found.setdefault(name, problems)
    elif isinstance(data, list | tuple):
        for value in data:
            for name, problems in text_problems(value, field, key).items():
                found.setdefault(name, problems)
    elif isinstance(data, str) and (problem := text_problem(data, name=key in NAME_FIELDS)):
        found[field] = [problem]
    return found


class InScope(serializers.PrimaryKeyRelatedField):
    """An id of ``model``, looked up in the caller's scope (outside it reads as not found)."""

    def __init__(self, model: type[Any], label: str, **kwargs: Any) -> None:
        self.model = model
        super().__init__(queryset=model.objects.all(), **kwargs)
        self.error_messages["does_not_exist"] = f"{label}“{{pk_value}}”不存在或不在您的管理范围内"

    def get_queryset(self) -> Any:
        return scope.scoped(self.context["request"].user, self.model.objects.all())


class NamedOutsideScope(serializers.PrimaryKeyRelatedField):
    """An object named by id that may lie outside the caller's scope (a transfer's destination,
    the committee above that decided a sanction). Whether it exists is not answered here: an id
    of none comes to the service as an unsaved stand-in with that id, and the service, which
    judges the object by its own rule (in the member's lineage, able to receive members), gives
    one answer for an object it refuses and for one that does not exist."""

    def __init__(self, model: type[Any], **kwargs: Any) -> None:
        self.model = model
        super().__init__(queryset=model.objects.all(), **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int | str) or not str(data).isdecimal():
            self.fail("incorrect_type", data_type=type(data).__name__)
        pk = int(data)
        if pk > 2**63 - 1:
            self.fail("incorrect_type", data_type="int")
        return self.model.objects.filter(pk=pk).first() or self.model(pk=pk)


class PlausibleDate(serializers.DateField):
    """A date of the range its kind allows (``core.dates.DateKind``)."""

    def __init__(self, *, kind: DateKind, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> Any:
        day = super().to_internal_value(value)
        if problem := date_problem(day, self.kind, timezone.localdate()):
            raise serializers.ValidationError(problem, code="implausible")
        return day


def date_parameter(request: Any, name: str) -> Any:
    """A date query parameter (a day to read the records as of), None when absent; a 400 under
    its name when it is not a date, or not a plausible one."""
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return PlausibleDate(kind=DateKind.QUERY).to_internal_value(raw)
    except serializers.ValidationError as error:
        raise serializers.ValidationError({name: error.detail}) from None
