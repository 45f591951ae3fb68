"""The API's pages (its own module: DRF imports it from the settings, before the viewsets)."""

from typing import Any

from rest_framework import pagination


class Pages(pagination.PageNumberPagination):
    """A page of 20 by default; ``page_size`` asks for up to 200 (more reads as 200)."""

    page_size_query_param = "page_size"
    max_page_size = 200
    page_query_description = "页码（从1开始）"
    page_size_query_description = "每页条数，默认20，最多200"

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters
