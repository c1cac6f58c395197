"""Apple's Metal backend: minitorch_lite has none, so it is never available (the course asks)."""


def is_available():
    return False


def is_built():
    return False
