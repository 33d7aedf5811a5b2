#include "users_api.h"

#include <nlohmann/json.hpp>

#include "kubeheal/sample_http/json_request.h"
#include "kubeheal/sample_http/json_response.h"

namespace kubeheal::samples {

namespace {

constexpr long long kMaxId = 1LL << 53;

nlohmann::json ToJson(const User& user) {
  return {{"id", user.id}, {"name", user.name}, {"email", user.email}};
}

Validated<std::string> ValidEmail(const nlohmann::json& body) {
  auto email = RequireString(body, "email", 3, 254);
  if (email.ok() && email.value->find('@') == std::string::npos) {
    return Validated<std::string>::Fail("field 'email' must contain '@'", "email");
  }
  return email;
}

HttpResponse CreateUser(UserStore& store, const HttpRequest& request) {
  auto body = ParseJsonObject(request.body);
  if (!body.ok()) return FieldErrorResponse(body.error);
  auto name = RequireString(*body.value, "name", 1, 100);
  if (!name.ok()) return FieldErrorResponse(name.error);
  auto email = ValidEmail(*body.value);
  if (!email.ok()) return FieldErrorResponse(email.error);
  User created;
  if (store.Create(*name.value, *email.value, created) == UserStore::Outcome::kEmailTaken) {
    return JsonError(409, "a user with this email already exists", "email");
  }
  return JsonResponse(201, ToJson(created));
}

HttpResponse ListUsers(const UserStore& store, const HttpRequest& request) {
  auto param = [&](const char* name, const char* fallback) {
    auto it = request.query.find(name);
    return it == request.query.end() ? std::string(fallback) : it->second;
  };
  auto offset = ParseIntegerText(param("offset", "0"), "offset", 0, kMaxId);
  if (!offset.ok()) return FieldErrorResponse(offset.error);
  auto limit = ParseIntegerText(param("limit", "50"), "limit", 1, 1000);
  if (!limit.ok()) return FieldErrorResponse(limit.error);
  nlohmann::json items = nlohmann::json::array();
  for (const User& user : store.List(*offset.value, *limit.value)) items.push_back(ToJson(user));
  return JsonResponse(200, {{"items", items}, {"total", store.Size()}});
}

HttpResponse GetUser(const UserStore& store, const HttpRequest& request) {
  auto id = ParseIntegerText(request.path_params.at("id"), "id", 1, kMaxId);
  if (!id.ok()) return FieldErrorResponse(id.error);
  auto user = store.Get(*id.value);
  if (!user) return JsonError(404, "user " + std::to_string(*id.value) + " not found", "id");
  return JsonResponse(200, ToJson(*user));
}

HttpResponse UpdateUser(UserStore& store, const HttpRequest& request) {
  auto id = ParseIntegerText(request.path_params.at("id"), "id", 1, kMaxId);
  if (!id.ok()) return FieldErrorResponse(id.error);
  auto body = ParseJsonObject(request.body);
  if (!body.ok()) return FieldErrorResponse(body.error);
  std::optional<std::string> name, email;
  if (body.value->contains("name")) {
    auto v = RequireString(*body.value, "name", 1, 100);
    if (!v.ok()) return FieldErrorResponse(v.error);
    name = *v.value;
  }
  if (body.value->contains("email")) {
    auto v = ValidEmail(*body.value);
    if (!v.ok()) return FieldErrorResponse(v.error);
    email = *v.value;
  }
  if (!name && !email) return JsonError(400, "give 'name' or 'email' to change", "body");
  User updated;
  switch (store.Update(*id.value, name, email, updated)) {
    case UserStore::Outcome::kNotFound:
      return JsonError(404, "user " + std::to_string(*id.value) + " not found", "id");
    case UserStore::Outcome::kEmailTaken:
      return JsonError(409, "a user with this email already exists", "email");
    case UserStore::Outcome::kOk:
      break;
  }
  return JsonResponse(200, ToJson(updated));
}

HttpResponse DeleteUser(UserStore& store, const HttpRequest& request) {
  auto id = ParseIntegerText(request.path_params.at("id"), "id", 1, kMaxId);
  if (!id.ok()) return FieldErrorResponse(id.error);
  if (!store.Remove(*id.value)) {
    return JsonError(404, "user " + std::to_string(*id.value) + " not found", "id");
  }
  return HttpResponse{204, "application/json", ""};
}

}  // namespace

void AddUsersRoutes(Router& router, UserStore& store) {
  router.Add("POST", "/users", [&store](const HttpRequest& r) { return CreateUser(store, r); });
  router.Add("GET", "/users", [&store](const HttpRequest& r) { return ListUsers(store, r); });
  router.Add("GET", "/users/{id}", [&store](const HttpRequest& r) { return GetUser(store, r); });
  router.Add("PUT", "/users/{id}", [&store](const HttpRequest& r) { return UpdateUser(store, r); });
  router.Add("DELETE", "/users/{id}",
             [&store](const HttpRequest& r) { return DeleteUser(store, r); });
}

}  // namespace kubeheal::samples
