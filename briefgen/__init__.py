"""briefgen: turn a stream of articles into briefings people can trust."""

__version__ = "0.1.0"
