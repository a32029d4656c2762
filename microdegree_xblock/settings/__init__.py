"""Plugin settings, applied by the LMS and Studio through ``plugin_settings(settings)``."""
