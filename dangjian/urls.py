from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from dangjian.accounts.api import TokenObtainView
from dangjian.accounts.views import LoginView
from dangjian.core.inbox_api import InboxItemViewSet
from dangjian.development.api import ApplicantViewSet
from dangjian.discipline.api import SanctionViewSet
from dangjian.dues.api import DuesArrearsViewSet, DuesBasisViewSet, DuesMonthViewSet, DuesPaymentViewSet
from dangjian.elections.api import StructureReportViewSet, TermViewSet
from dangjian.meetings.api import MeetingViewSet
from dangjian.members.api import MemberViewSet
from dangjian.members.api_groups import PartyGroupViewSet
from dangjian.orgs import views as org_views
from dangjian.orgs.api import OrganizationViewSet
from dangjian.orgs.api_restructure import RestructuringViewSet
from dangjian.transfers.api import MobileMemberViewSet, TransferViewSet

router = DefaultRouter()
router.register("organizations", OrganizationViewSet)
router.register("members", MemberViewSet)
router.register("party-groups", PartyGroupViewSet, basename="party-group")
router.register("restructurings", RestructuringViewSet)
router.register("terms", TermViewSet)
router.register("structure", StructureReportViewSet, basename="structure")
router.register("transfers", TransferViewSet)
router.register("mobile-members", MobileMemberViewSet, basename="mobile-member")
router.register("development-files", ApplicantViewSet, basename="development-file")
router.register("sanctions", SanctionViewSet)
router.register("meetings", MeetingViewSet)
router.register("inbox", InboxItemViewSet, basename="inbox-item")
router.register("dues-months", DuesMonthViewSet, basename="dues-month")
router.register("dues-payments", DuesPaymentViewSet, basename="dues-payment")
router.register("dues-bases", DuesBasisViewSet, basename="dues-basis")
router.register("dues-arrears", DuesArrearsViewSet, basename="dues-arrears")

urlpatterns = [
    path("", org_views.dashboard, name="home"),
    path("login/", login_not_required(LoginView.as_view()), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("dangjian.accounts.urls")),
    path("orgs/", include("dangjian.orgs.urls")),
    path("members/", include("dangjian.members.urls")),
    path("elections/", include("dangjian.elections.urls")),
    path("transfers/", include("dangjian.transfers.urls")),
    path("development/", include("dangjian.development.urls")),
    path("discipline/", include("dangjian.discipline.urls")),
    path("meetings/", include("dangjian.meetings.urls")),
    path("dues/", include("dangjian.dues.urls")),
    path("stats/", include("dangjian.stats.urls")),
    path("inbox/", include("dangjian.core.inbox_urls")),
    path("api/v1/", include(router.urls)),
    path("api/v1/auth/token/", TokenObtainView.as_view(), name="api-token"),
    # JSON, not YAML: a YAML 1.2 reader (the generators') takes an unquoted 08 (民族 code) for a number.
    path("api/schema/", SpectacularJSONAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's settings as a script file: no inline script, so the
    # Content-Security-Policy can forbid inline scripts everywhere.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = "dangjian.core.error_pages.bad_request"
handler403 = "dangjian.core.error_pages.permission_denied"
handler404 = "dangjian.core.error_pages.page_not_found"
handler500 = "dangjian.core.error_pages.server_error"
