"""
Stand-in for the platform's ``openedx.core.djangoapps.content.block_structure.exceptions``.

See lms_host/platform_stubs/README.
"""


class BlockStructureNotFound(Exception):
    """No block structure is stored for this root block (the platform's exception of the same name)."""

    def __init__(self, root_block_usage_key):
        super().__init__(f"Block structure not found; data_usage_key: {root_block_usage_key}")
