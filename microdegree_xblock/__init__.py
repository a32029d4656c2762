"""
Micro-credentials and micro-degrees for Open edX: an XBlock and an LMS/CMS plugin app.
"""
__version__ = "0.1.0"
