#include "migrate/mapping.h"

#include <stdexcept>

namespace corrente::migrate {

MappingReport RunMapping(const std::string&, const std::string&, const std::string&) {
  throw std::runtime_error("migrate map is not implemented yet");
}

}  // namespace corrente::migrate
