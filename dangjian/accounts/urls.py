from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("account/", views.profile, name="profile"),
    path("account/act-as/", views.act_as, name="act_as"),
    path("account/password/", views.password, name="password"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/grant/", views.user_grant, name="user_grant"),
    path("users/<int:pk>/roles/<int:assignment>/revoke/", views.user_revoke, name="user_revoke"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/active/", views.user_active, name="user_active"),
    path("users/<int:pk>/history/", views.user_history, name="user_history"),
    path("security/", views.security, name="security"),
    path("security/lockouts/", views.lockouts, name="lockouts"),
    path("security/tokens/", views.all_tokens, name="all_tokens"),
    path("audit/", views.audit_events, name="audit"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
]
