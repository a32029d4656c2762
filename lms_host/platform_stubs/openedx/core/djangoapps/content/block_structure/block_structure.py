"""
Stand-in for the platform's ``openedx.core.djangoapps.content.block_structure.block_structure``.

Only the read methods of ``BlockStructureBlockData`` that the plugin calls; see lms_host/platform_stubs/README.
"""


class BlockStructureBlockData:
    """A tree of usage keys with the block fields and transformer fields the platform's structure would carry."""

    def __init__(self, root_block_usage_key, children, fields, transformer_fields):
        self.root_block_usage_key = root_block_usage_key
        self._children = children  # usage key -> [child usage keys]
        self._fields = fields  # usage key -> {xblock field name: value}
        self._transformer_fields = transformer_fields  # (usage key, transformer name, key) -> value

    def topological_traversal(self):
        """Every block, each after its parent (pre-order from the root)."""
        stack = [self.root_block_usage_key]
        while stack:
            key = stack.pop()
            yield key
            stack.extend(reversed(self._children.get(key, [])))

    def get_children(self, usage_key):
        """The block's children (none for a leaf)."""
        return list(self._children.get(usage_key, []))

    def get_xblock_field(self, usage_key, field_name, default=None):
        """A collected field of the block, else ``default``."""
        value = self._fields.get(usage_key, {}).get(field_name)
        return default if value is None else value

    def get_transformer_block_field(self, usage_key, transformer, key, default=None):
        """What a transformer collected for the block under ``key``, else ``default``."""
        return self._transformer_fields.get((usage_key, transformer.name(), key), default)
