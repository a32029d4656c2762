"""The ``demo_setup`` management command."""
