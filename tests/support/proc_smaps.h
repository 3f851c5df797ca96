// Reading one mapping's entry of /proc/self/smaps, for the tests of where the weights live
// (resident, locked, in huge pages). Written apart from the runtime's own reader
// (format/huge_pages.cpp), so the tests check it against an independent one.
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

namespace griffin::test {

// The number after "<field>:" in the entry of the mapping that holds `address` (kB for sizes,
// 0/1 for flags such as THPeligible), or -1 when there is no such mapping or field.
inline long long smaps_value(const void* address, const std::string& field) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  const uintptr_t target = reinterpret_cast<uintptr_t>(address);
  while (std::getline(smaps, line)) {
    unsigned long long start = 0, end = 0;
    // An entry starts "start-end perms ..."; its fields are "Name:   value [kB]".
    if (std::sscanf(line.c_str(), "%llx-%llx ", &start, &end) == 2 &&
        line.find(':') > line.find(' ')) {
      inside = target >= start && target < end;
      continue;
    }
    if (inside && line.compare(0, field.size() + 1, field + ":") == 0) {
      return std::stoll(line.substr(field.size() + 1));
    }
  }
  return -1;
}

// A size field of that entry in bytes (0 when there is none).
inline uint64_t smaps_bytes(const void* address, const std::string& field) {
  const long long kb = smaps_value(address, field);
  return kb > 0 ? static_cast<uint64_t>(kb) * 1024 : 0;
}

}  // namespace griffin::test
