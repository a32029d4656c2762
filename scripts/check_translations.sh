#!/usr/bin/env bash
# Checks that the committed message catalogs are up to date (`tox -e translations`, `make check-translations`):
# extracts the strings again, from a copy of the sources so that nothing in the work tree changes, and compares
# the catalogs entry by entry (line wrapping, source locations and the creation date aside). Also checks that every
# German entry is translated and none is fuzzy. Needs GNU gettext and the package's requirements (django-admin).
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r microdegree_xblock templates static lms_host "$work"/
(cd "$work" && PYTHONPATH=. django-admin makemessages --settings=lms_host.i18n_settings -l de -l en \
    -i lms_host -i tests -i build -i docs -i requirements -i setup.py -i ".*" >/dev/null)

normalise() { msgcat --no-wrap --sort-output --no-location "$1" | grep -v '^"POT-Creation-Date:'; }

status=0
for po in microdegree_xblock/locale/*/LC_MESSAGES/*.po; do
    if ! diff -u --label "$po (committed)" --label "$po (extracted now)" <(normalise "$po") <(normalise "$work/$po"); then
        echo "OUT OF DATE: $po does not hold the strings of the sources; run 'make translations', translate, commit." >&2
        status=1
    fi
done
for po in microdegree_xblock/locale/de/LC_MESSAGES/*.po; do
    missing="$(msgattrib --untranslated --no-obsolete "$po"; msgattrib --only-fuzzy --no-obsolete "$po")"
    if [ -n "$missing" ]; then
        echo "UNTRANSLATED or FUZZY entries in $po:" >&2
        echo "$missing" >&2
        status=1
    fi
done
[ "$status" -eq 0 ] && echo "catalogs up to date: $(ls microdegree_xblock/locale/*/LC_MESSAGES/*.po | tr '\n' ' ')"
exit "$status"
