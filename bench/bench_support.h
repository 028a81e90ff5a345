// What every benchmark program shares: deterministic row content and the report's number
// formats. Benchmarks time with std::chrono::steady_clock themselves; nothing here times.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace otsync::bench {

// A fixed bijective mix so that keys arrive in no particular order, as real ids do.
uint64_t Mix(uint64_t x);

// `length` characters of [a-z0-9] determined by `seed`.
std::string Filler(uint64_t seed, size_t length);

// REQUIRED: `values` is not empty.
double Median(std::vector<double> values);

// 1234567.8 -> "1,234,568".
std::string Rate(double per_second);

// `value` with `decimals` digits after the point.
std::string Fixed(double value, int decimals);

}  // namespace otsync::bench
