"""People, organizations and API tokens in the admin; every change is in the history (``HistoryAdmin``).

Staff who are not superusers cannot make anyone a superuser (themselves included), change a superuser's
account, or hand out permissions directly: the access they can give is the roles (member, provider, reviewer,
staff). A person who has records cannot be deleted: the page says to deactivate the account instead.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse

from certcredit.services import history
from certcredit.services.people import delete_person, grant_role
from certcredit.store.accounts.models import ApiToken, Organization, Person, Role, RoleGrant
from certcredit.store.admin_history import HistoryAdmin


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0


@admin.register(Person)
class PersonAdmin(HistoryAdmin, UserAdmin):
    ordering = ("email",)
    list_display = ("email", "name", "is_staff", "is_active")
    search_fields = ("email", "name")
    list_filter = ("is_staff", "is_active", "role_grants__role")
    fieldsets = (
        (None, {"fields": ("email", "name", "password")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),)
    inlines = (RoleGrantInline,)
    filter_horizontal = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ("is_superuser", "last_login", "date_joined")
        return fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False  # a superuser's account (and password) is changed by a superuser only
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            stored = Person.objects.filter(pk=obj.pk).values_list("is_superuser", flat=True).first()
            obj.is_superuser = bool(stored)  # never raised by staff, whatever the request carried
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        person = form.instance
        if person.role_grants.filter(role=Role.STAFF).exists():
            grant_role(person, Role.STAFF)  # staff also get the admin site and its permissions

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """A person with records is "protected": the confirmation page refuses and says what to do instead."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for person in objs:
            records = person.records.count()
            if records:
                protected.append(
                    f"{person}: {records} records. A person with records is never deleted; deactivate the account"
                    " instead (untick Active)."
                )
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        delete_person(request.user, obj, note="admin")

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for person in queryset:
            delete_person(request.user, person, note="admin (bulk delete)")

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            person = Person.objects.get(pk=id)
            history.record_change(request.user, "change password", person, None, note="admin")
            messages.info(request, "The password change is in the history.")
        return response


@admin.register(Organization)
class OrganizationAdmin(HistoryAdmin):
    list_display = ("name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(ApiToken)
class ApiTokenAdmin(HistoryAdmin):
    list_display = ("prefix", "name", "person", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "person", "created_at", "last_used_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # tokens are made by their owner (web page, API or CLI) so the plain token is shown once
