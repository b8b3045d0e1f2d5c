#pragma once
// The API's response schemas: the OpenAPI document's components, and which one each route's
// `data` is. The dashboard's TypeScript types are generated from that document
// (web/src/api/schema.gen.ts), and tests/api/api_schemas.sh validates live responses against
// it, with no extra fields allowed, so neither the types nor the document can drift.
#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "server/handlers.h"

namespace corrente::server {

// The component schemas (Item, Alert, ...), enums from common/vocabulary.h.
boost::json::object ResponseComponents();

// Sets each route's `response`: a component name, "Name[]" for a list, or "" for routes whose
// body is not the JSON envelope. Throws std::logic_error naming a JSON route without one, so a
// new route cannot ship undocumented.
void AttachResponses(std::vector<ApiRoute>& routes);

}  // namespace corrente::server
