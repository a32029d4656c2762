"""
A stand-in for the Open edX LMS: a Django project that loads the plugin exactly as the LMS does.

It discovers plugin apps through the ``lms.djangoapp`` entry point, applies their settings, mounts their URLs and
connects their receivers with edx-django-utils. The tests run in it, and ``make demo`` serves it.
"""
