"""The token admin: DRF's, with the read-only flag on the form and in the list."""
from django import forms
from django.contrib import admin
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from gis_app.tokens.models import TokenAccess, set_read_only


class TokenForm(forms.ModelForm):
    read_only = forms.BooleanField(required=False, label="只读 (read-only)",
                                   help_text="只能读取 (GET/HEAD/OPTIONS)；"
                                             "提交或修改数据时答 403 read_only_token")

    class Meta:
        model = TokenProxy
        fields = ("user",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            self.fields["read_only"].initial = TokenAccess.objects.filter(
                token_id=self.instance.key, read_only=True).exists()


class AccessTokenAdmin(TokenAdmin):
    form = TokenForm
    fields = ("user", "read_only")
    list_display = ("key", "user", "created", "read_only")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "access")

    @admin.display(boolean=True, description="只读 (read-only)")
    def read_only(self, obj):
        access = getattr(obj, "access", None)     # absent: a full token
        return bool(access and access.read_only)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        set_read_only(obj, form.cleaned_data["read_only"])


admin.site.unregister(TokenProxy)
admin.site.register(TokenProxy, AccessTokenAdmin)
