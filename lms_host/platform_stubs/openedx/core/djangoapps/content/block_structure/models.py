"""
Stand-in for the platform's ``openedx.core.djangoapps.content.block_structure.models``.

``BlockStructureModel.get``: the record of a course's collected structure and its version. The platform reads it from
the ``block_structure`` table (one query on its unique usage key); the stand-in reads the published outlines (no
query). See lms_host/platform_stubs/README.
"""
from .exceptions import BlockStructureNotFound
from .outlines import COURSES


class BlockStructureModel:
    """The version fields of one collected block structure."""

    VERSION_FIELDS = ["data_version", "data_edit_timestamp", "transformers_schema_version",
                      "block_structure_schema_version"]

    def __init__(self, data_usage_key, data_version):
        self.data_usage_key = data_usage_key
        self.data_version = data_version
        self.data_edit_timestamp = None
        self.transformers_schema_version = "stand-in"
        self.block_structure_schema_version = "1"

    @classmethod
    def get(cls, data_usage_key):
        """The record of the structure collected for this root block; BlockStructureNotFound when there is none."""
        outline = COURSES.get(str(data_usage_key.course_key))
        if outline is None or not outline.collected or data_usage_key.block_type != "course":
            raise BlockStructureNotFound(data_usage_key)
        return cls(data_usage_key, outline.version)
