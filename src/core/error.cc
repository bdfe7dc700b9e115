// SPDX-License-Identifier: MIT
#include "core/error.h"

namespace worthit {

std::string Error::message() const {
  std::string out;
  if (!where.empty()) out = where + ": ";
  out += what;
  if (!hint.empty()) out += " (" + hint + ")";
  return out;
}

Error Error::within(const std::string& outer) const {
  Error e = *this;
  e.where = where.empty() ? outer : outer + ": " + where;
  return e;
}

}  // namespace worthit
