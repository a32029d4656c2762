"""Django management commands of the micro-degree plugin."""
