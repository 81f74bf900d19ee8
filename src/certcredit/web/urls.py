"""URL routes: the web app at ``/``, the REST API under ``/api/``, the admin for staff at ``/admin/``."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from certcredit.web import views
from certcredit.web.api import api

LOGIN = auth_views.LoginView.as_view(template_name="login.html", redirect_authenticated_user=True)

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("records/", views.records, name="records"),
    path("records/upload/", views.upload, name="upload"),
    path("records/upload/<uuid:result_id>/", views.upload_status, name="upload-status"),
    path("records/<int:record_id>/", views.record_detail, name="record"),
    path("records/<int:record_id>/evidence/", views.evidence, name="evidence"),
    path("progress/", views.progress, name="progress"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/evaluate/", views.evaluate_sessions, name="evaluate-sessions"),
    path("review/", views.review_queue, name="review"),
    path("review/<int:session_id>/", views.review_session, name="review-session"),
    path("clrm/", views.clrm_mine, name="clrm"),
    path("clrm/candidates/", views.clrm_candidates, name="clrm-candidates"),
    path("clrm/candidates/<int:candidate_id>/", views.clrm_candidate, name="clrm-candidate"),
    path("clrm/academies/", views.clrm_academies, name="clrm-academies"),
    path("tokens/", views.api_tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke-token"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

handler400 = "certcredit.web.views.bad_request"
handler403 = "certcredit.web.views.forbidden"
handler404 = "certcredit.web.views.not_found"
handler500 = "certcredit.web.views.server_error"
