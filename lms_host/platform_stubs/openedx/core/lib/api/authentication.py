"""Stand-in for the LMS API authentication classes. (see lms_host/platform_stubs/README)."""
from rest_framework.authentication import BaseAuthentication


class BearerAuthenticationAllowInactiveUser(BaseAuthentication):
    """Authenticates nobody outside the LMS."""

    def authenticate(self, request):
        """Authenticate nobody."""
        return None
