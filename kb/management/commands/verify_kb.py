"""Check every quote anchor, reference and invariant of the knowledge base."""

from django.core.management.base import BaseCommand, CommandError

from kb.selectors import kb_violations


class Command(BaseCommand):
    help = (
        "Check every claim's anchor (source.text[start:end] == quote), every reference, "
        "alias and partial date. Prints each violation; exits 1 if there is any."
    )

    def handle(self, *args, **options) -> None:
        count = 0
        for line in kb_violations():
            count += 1
            self.stdout.write(line)
        if count:
            raise CommandError(f"{count} violation(s) found.")
        self.stdout.write(self.style.SUCCESS("verify_kb: no violations."))
