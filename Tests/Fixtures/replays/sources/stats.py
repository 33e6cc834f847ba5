"""Small statistics helpers."""

import math


def mean(values):
    """The arithmetic mean of a non-empty list."""
    if not values:
        raise ValueError("mean of an empty list")
    return sum(values) / len(values)


def variance(values):
    """The population variance."""
    m = mean(values)
    return sum((x - m) ** 2 for x in values) / len(values)


def stddev(values):
    return math.sqrt(variance(values))


def median(values):
    ordered = sorted(values)
    n = len(ordered)
    middle = n // 2
    if n % 2 == 1:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


if __name__ == "__main__":
    data = [2, 4, 4, 4, 5, 5, 7, 9]
    print(mean(data), stddev(data), median(data))
