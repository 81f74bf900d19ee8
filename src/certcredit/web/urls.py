"""URL routes: the web app at ``/``, the REST API under ``/api/``, the admin for staff at ``/admin/``."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from certcredit.web import (
    badge_api,
    badge_views,
    clrm_api,
    clrm_views,
    credential_api,
    credential_views,
    library_api,
    library_views,
    member_api,
    member_views,
    provider_api,
    provider_views,
    staff_views,
    views,
)
from certcredit.web.api import api

assert (
    credential_api and badge_api and clrm_api and provider_api and library_api and member_api
)  # their routes on ``api``

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
    path("records/new/", member_views.record_new, name="record-new"),
    path("records/<int:record_id>/", views.record_detail, name="record"),
    path("records/<int:record_id>/edit/", member_views.record_edit, name="record-edit"),
    path("records/<int:record_id>/delete/", member_views.record_delete, name="record-delete"),
    path("records/<int:record_id>/evidence/", views.evidence, name="evidence"),
    path("progress/", member_views.progress, name="progress"),
    path("progress/programs/", member_views.choose_programs, name="progress-programs"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/evaluate/", views.evaluate_sessions, name="evaluate-sessions"),
    path("sessions/<int:session_id>/attend/", member_views.attend, name="attend"),
    path("review/", views.review_queue, name="review"),
    path("review/<int:session_id>/", views.review_session, name="review-session"),
    path("review/<int:session_id>/uphold/", provider_views.uphold, name="review-uphold"),
    path("provider/", provider_views.home, name="provider"),
    path("provider/submit/", provider_views.submit, name="provider-submit"),
    path("provider/publish/", provider_views.publish, name="provider-publish"),
    path("provider/submissions/<int:submission_id>/", provider_views.submission, name="provider-submission"),
    path(
        "provider/submissions/<int:submission_id>/credit-form.<str:fmt>",
        provider_views.credit_form,
        name="provider-submission-credit-form",
    ),
    path("provider/credit-form.<str:fmt>", provider_views.credit_form, name="provider-credit-form"),
    path("provider/sessions/<int:session_id>/", provider_views.session, name="provider-session"),
    path("clrm/", views.clrm_mine, name="clrm"),
    path("clrm/candidates/", views.clrm_candidates, name="clrm-candidates"),
    path("clrm/candidates/<int:candidate_id>/", views.clrm_candidate, name="clrm-candidate"),
    path("clrm/academies/", views.clrm_academies, name="clrm-academies"),
    path("clrm/arbitrators/", clrm_views.arbitrators, name="clrm-arbitrators"),
    path("clrm/approvals/", clrm_views.approvals, name="clrm-approvals"),
    path("clrm/approvals/<int:proposal_id>/", clrm_views.approval, name="clrm-approval"),
    path("clrm/orientation/", clrm_views.orientation, name="clrm-orientation"),
    path("clrm/orientation/<int:session_id>/enrol/", clrm_views.enrol, name="clrm-enrol"),
    path("clrm/enrolments/<int:enrolment_id>/attended/", clrm_views.attendance, name="clrm-attendance"),
    path("clrm/paper/", clrm_views.paper, name="clrm-paper"),
    path("clrm/papers/<int:paper_id>/file/", clrm_views.paper_file, name="clrm-paper-file"),
    path("clrm/reviews/", clrm_views.reviews, name="clrm-reviews"),
    path("clrm/reviews/<int:paper_id>/", clrm_views.review, name="clrm-review"),
    path("clrm/lists/", clrm_views.lists, name="clrm-lists"),
    path("clrm/lists/<slug:which>.csv", clrm_views.lists_csv, name="clrm-lists-csv"),
    path("library/", library_views.search, name="library"),
    path("library/papers/<int:paper_id>/", library_views.paper, name="library-paper"),
    path("library/papers/<int:paper_id>/download", library_views.download, name="library-download"),
    path("library/members/", library_views.members, name="library-members"),
    path("tokens/", views.api_tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke-token"),
    path("applications/", credential_views.applications, name="applications"),
    path("applications/new/", credential_views.apply, name="apply"),
    path("applications/<int:application_id>/", credential_views.application_detail, name="application"),
    path("credentials/", credential_views.credentials, name="credentials"),
    path("credentials/<int:credential_id>/", credential_views.credential_detail, name="credential"),
    path(
        "credentials/<int:credential_id>/<slug:action>/",
        credential_views.credential_action,
        name="credential-action",
    ),
    path(
        "credentials/<int:credential_id>/documents/<slug:kind>.pdf",
        credential_views.credential_document,
        name="credential-document",
    ),
    path("verify/", badge_views.check, name="badge-check"),
    path("verify/<str:code>", credential_views.verify, name="verify"),
    path(
        "credentials/<int:credential_id>/badge.<str:fmt>",
        badge_views.download,
        name="credential-badge",
    ),
    path(
        "credentials/<int:credential_id>/badge/suspension",
        badge_views.suspension,
        name="credential-badge-suspension",
    ),
    path("badges/issuer", badge_views.issuer, name="badge-issuer"),
    path("badges/jwks.json", badge_views.jwks, name="badge-jwks"),
    path("badges/achievements/<slug:family>", badge_views.achievement, name="badge-achievement"),
    path("badges/status/<slug:purpose>", badge_views.status_list, name="badge-status"),
    path("badges/status/<slug:purpose>.jwt", badge_views.status_list, {"signed": True}, name="badge-status-jwt"),
    path("reminders/", credential_views.reminder_settings, name="reminders"),
    path("reminders/unsubscribe/<str:token>", credential_views.unsubscribe, name="unsubscribe"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("staff/", staff_views.dashboard, name="staff"),
    path("staff/export.csv", staff_views.export, name="staff-export"),
    path("staff/reaudit/", staff_views.reaudit, name="staff-reaudit"),
    path("staff/spot-checks/", staff_views.spot_checks, name="staff-spot-checks"),
    path("staff/spot-checks/<int:check_id>/", staff_views.settle, name="staff-spot-check"),
    path("staff/review-ageing/", staff_views.review_ageing, name="staff-review-ageing"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

handler400 = "certcredit.web.views.bad_request"
handler403 = "certcredit.web.views.forbidden"
handler404 = "certcredit.web.views.not_found"
handler500 = "certcredit.web.views.server_error"
