"""Stand-in package (see lms_host/platform_stubs/README)."""
