#!/usr/bin/env python3
"""Independent HdrHistogram encodings for the Hotshard tests, from the PyPI `hdrhistogram`
package (HdrHistogram_py, a port of the Java library); installed by scripts/setup/model-setup.sh.

  encode   stdin: "VALUE COUNT" lines; prints the compressed histogram (base64) of a
           histogram of 1..3,600,000,000 µs at 3 significant digits, as Hotshard's.
  decode   stdin: a compressed histogram (base64); prints "total max p50 p99 p999" and then
           "VALUE COUNT" per recorded bucket (the bucket's lowest equivalent value).
  log      argv: PATH.hlog; reads the interval log with hdrh.log.HistogramLogReader and prints,
           per tag, "TAG intervals total p99 max" of the intervals added up.
  check    argv: PATH.hlog RESULT.json; as `log`, then asserts that each tag's total count equals
           the result's latency.corrected / latency.service count and its p99 the result's p99
           within the histogram's precision (3 significant digits); exit 1 when not.
"""
import json
import sys

from hdrh.histogram import HdrHistogram


def new_histogram():
    return HdrHistogram(1, 3_600_000_000, 3)


def describe(histogram):
    return "%d %d %d %d %d" % (
        histogram.get_total_count(),
        histogram.get_max_value(),
        histogram.get_value_at_percentile(50),
        histogram.get_value_at_percentile(99),
        histogram.get_value_at_percentile(99.9),
    )


def main():
    mode = sys.argv[1]
    if mode == "encode":
        histogram = new_histogram()
        for line in sys.stdin:
            if line.strip():
                value, count = line.split()
                histogram.record_value(int(value), int(count))
        print(histogram.encode().decode("ascii"))
    elif mode == "decode":
        histogram = HdrHistogram.decode(sys.stdin.read().strip())
        print(describe(histogram))
        for item in histogram.get_recorded_iterator():
            print("%d %d" % (histogram.get_lowest_equivalent_value(item.value_iterated_to), item.count_at_value_iterated_to))
    elif mode in ("log", "check"):
        totals, intervals = read_log(sys.argv[2])
        for tag in sorted(totals):
            histogram = totals[tag]
            print("%s %d %d %d %d" % (tag, intervals[tag], histogram.get_total_count(),
                                      histogram.get_value_at_percentile(99), histogram.get_max_value()))
        if mode == "check":
            with open(sys.argv[3]) as file:
                latency = json.load(file)["latency"]
            failed = False
            for tag in ("corrected", "service"):
                expected = latency[tag]
                histogram = totals.get(tag)
                count = histogram.get_total_count() if histogram else 0
                p99 = histogram.get_value_at_percentile(99) if histogram else 0
                if count != expected["count"] or abs(p99 - expected["p99"]) > expected["p99"] / 1000 + 1:
                    print("MISMATCH %s: log count %d p99 %d, result count %d p99 %d"
                          % (tag, count, p99, expected["count"], expected["p99"]))
                    failed = True
            sys.exit(1 if failed else 0)
    else:
        sys.exit("unknown mode " + mode)


def read_log(path):
    """Each tag's intervals added up, and how many intervals it had."""
    from hdrh.log import HistogramLogReader

    reader = HistogramLogReader(path, new_histogram())
    totals = {}
    intervals = {}
    while True:
        interval = reader.get_next_interval_histogram()
        if interval is None:
            break
        tag = interval.get_tag() or "-"
        if tag not in totals:
            totals[tag] = new_histogram()
            intervals[tag] = 0
        totals[tag].add(interval)
        intervals[tag] += 1
    return totals, intervals


if __name__ == "__main__":
    main()
