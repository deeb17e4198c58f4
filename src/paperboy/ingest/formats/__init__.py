"""Wire-format parsers: bytes of one file or response in, ``Paper`` records out. No network.

``registry`` names the formats ``paperboy import`` knows and detects them by content.
"""
