#pragma once

#include <string>

#include "kubeheal/sample_http/router.h"
#include "user_store.h"

namespace kubeheal::samples {

// The users service's business endpoints over a UserStore:
//   POST /users {name, email}   GET /users?offset&limit   GET|PUT|DELETE /users/{id}
void AddUsersRoutes(Router& router, UserStore& store);

// The OpenAPI 3 document of every endpoint of the users service.
std::string UsersOpenApi();

}  // namespace kubeheal::samples
