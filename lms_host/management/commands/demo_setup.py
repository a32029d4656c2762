"""``demo_setup``: the demo's admin and learners (idempotent)."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO_LEARNERS = (("anna", "Anna Schmidt"), ("ben", "Ben Müller"), ("chiara", "Chiara Rossi"), ("dora", "Dora Weber"))


class Command(BaseCommand):
    """Create the demo admin (admin/admin) and a few demo learners (password: demo)."""

    help = "Create the demo admin (admin/admin) and demo learners (password 'demo')."

    def handle(self, *args, **options):
        """Create the users that do not exist yet."""
        users = get_user_model()
        if not users.objects.filter(username="admin").exists():
            users.objects.create_superuser("admin", "admin@example.org", "admin")
        for username, name in DEMO_LEARNERS:
            first, last = name.split(" ", 1)
            user, created = users.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.org", "first_name": first, "last_name": last}
            )
            if created:
                user.set_password("demo")
                user.save()
        learners = ", ".join(username for username, _ in DEMO_LEARNERS)
        self.stdout.write(f"demo users ready: admin/admin, {learners} (password demo)")
