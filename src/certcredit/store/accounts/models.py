"""People (accounts that sign in with their e-mail), organizations, roles and personal API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.utils import timezone


class Role:
    """What a person may do; a person may hold several (a reviewer is usually a member too)."""

    MEMBER = "member"
    PROVIDER = "provider"
    REVIEWER = "reviewer"
    STAFF = "staff"
    #: CLRM: the Executive Director or a designee, who approves a candidate's arbitrators (docs/clrm.md)
    CLRM_APPROVER = "clrm_approver"
    #: CLRM: reads candidates' papers and accepts them or returns them for revision or more research
    CLRM_REVIEWER = "clrm_reviewer"
    values: ClassVar[tuple[str, ...]] = (MEMBER, PROVIDER, REVIEWER, STAFF, CLRM_APPROVER, CLRM_REVIEWER)
    choices: ClassVar[list[tuple[str, str]]] = [
        (MEMBER, "Member"),
        (PROVIDER, "Provider"),
        (REVIEWER, "Reviewer"),
        (STAFF, "Staff"),
        (CLRM_APPROVER, "CLRM approver (Executive Director or designee)"),
        (CLRM_REVIEWER, "CLRM paper reviewer"),
    ]


class PersonManager(BaseUserManager["Person"]):
    """Creates people keyed by e-mail, the only identifier a member reliably knows."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> Person:
        if not email:
            raise ValueError("a person needs an e-mail address")
        person = self.model(email=self.normalize_email(email).lower(), **fields)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> Person:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class Person(AbstractBaseUser, PermissionsMixin):
    """An account: a member, a provider's contact, a reviewer or association staff (roles say which)."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the admin site.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ("email",)
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    @property
    def roles(self) -> list[str]:
        """The person's roles, sorted; ``staff`` also when the account may use the admin."""
        held = {grant.role for grant in self.role_grants.all()}
        if self.is_superuser:
            held.add(Role.STAFF)
        return sorted(str(role) for role in held)

    def has_role(self, role: str) -> bool:
        return role in self.roles


class Organization(models.Model):
    """An association (the certifying body), an education provider or a chapter of an association."""

    class Kind(models.TextChoices):
        ASSOCIATION = "association", "Association"
        PROVIDER = "provider", "Provider"
        CHAPTER = "chapter", "Chapter"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PROVIDER)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="A chapter's association.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class RoleGrant(models.Model):
    """A role a person holds, optionally for one organization (a provider's contact acts for that provider)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=20, choices=Role.choices)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("person", "role", "organization"), name="one_grant_per_role_and_org"),
            models.UniqueConstraint(
                fields=("person", "role"), condition=models.Q(organization=None), name="one_global_grant_per_role"
            ),
        )

    def __str__(self) -> str:
        where = f" for {self.organization}" if self.organization_id else ""
        return f"{self.person} is {self.role}{where}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored: a leaked database leaks no usable token."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="token")
    prefix = models.CharField(max_length=12, help_text="The first characters, to tell tokens apart.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name}) of {self.person}"
