#include <nlohmann/json.hpp>

#include "kubeheal/sample_http/openapi_document.h"
#include "users_api.h"

namespace kubeheal::samples {

std::string UsersOpenApi() {
  nlohmann::json user_input = {
      {"type", "object"},
      {"properties",
       {{"name", {{"type", "string"}, {"minLength", 1}, {"maxLength", 100}}},
        {"email", {{"type", "string"}, {"minLength", 3}, {"maxLength", 254}}}}}};
  nlohmann::json create = user_input;
  create["required"] = {"name", "email"};
  OpenApiDocument doc("users", "In-memory user store with reads and writes.");
  doc.Operation("post", "/users", "Create a user.",
                {{"201", "created"}, {"400", "invalid input"}, {"409", "email already used"}},
                create)
      .Operation("get", "/users", "List users (query: offset >= 0, limit 1..1000).",
                 {{"200", "a page of users"}, {"400", "invalid offset or limit"}})
      .Operation("get", "/users/{id}", "Read one user.",
                 {{"200", "the user"}, {"400", "invalid id"}, {"404", "no such user"}})
      .Operation("put", "/users/{id}", "Change a user's name or email.",
                 {{"200", "updated"},
                  {"400", "invalid input"},
                  {"404", "no such user"},
                  {"409", "email already used"}},
                 user_input)
      .Operation("delete", "/users/{id}", "Delete a user.",
                 {{"204", "deleted"}, {"400", "invalid id"}, {"404", "no such user"}});
  return doc.Dump();
}

}  // namespace kubeheal::samples
