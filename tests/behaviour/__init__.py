"""Behaviour models of the platforms, for tests: small re-implementations of a vendor's own rules, each
citing the vendor page or file it reproduces, that say whether a rendered file does what the spec declares."""
