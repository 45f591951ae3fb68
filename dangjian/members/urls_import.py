"""Pages of the member import (included under /members/import/, names in the members namespace)."""

urlpatterns: list = []
