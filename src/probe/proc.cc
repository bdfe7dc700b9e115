// SPDX-License-Identifier: MIT
#include "probe/proc.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/text.h"

namespace worthit::probe {

Result<std::string> read_text_file(const std::string& path) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    return fail(path, std::string("cannot read: ") +
                          (err ? std::strerror(err) : "no such file or not readable"));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return fail(path, "read error");
  return ss.str();
}

Result<Bytes> parse_vmrss(std::string_view status_text) {
  for (const auto& line : split(status_text, '\n')) {
    std::string_view l = line;
    if (l.substr(0, 6) != "VmRSS:") continue;
    std::string_view rest = trim(l.substr(6));
    int64_t kib_count = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), kib_count);
    std::string_view unit = trim(rest.substr(static_cast<size_t>(end - rest.data())));
    if (ec != std::errc() || kib_count < 0 || unit != "kB")
      return fail("VmRSS", fmt::format("expected a size like \"123456 kB\", got \"{}\"", rest));
    return kib(static_cast<double>(kib_count));
  }
  // Kernel threads and zombies have no VmRSS line.
  return fail("VmRSS", "no VmRSS line (a kernel thread or a process that has exited)");
}

Result<Bytes> process_rss(int pid) {
  const std::string path =
      pid == 0 ? std::string("/proc/self/status") : fmt::format("/proc/{}/status", pid);
  WORTHIT_TRY(text, read_text_file(path));
  auto rss = parse_vmrss(text);
  if (!rss) return fail(rss.error().within(path));
  return rss;
}

}  // namespace worthit::probe
