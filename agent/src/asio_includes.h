#pragma once

// clang-format off
// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>: keep it first.
#include <utility>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
// clang-format on

namespace kubeheal::agent {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;

// Every asynchronous step of the data path reports errors in `ec`, never by throwing.
inline auto awaitWith(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

}  // namespace kubeheal::agent
