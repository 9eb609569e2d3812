#pragma once
// What hello-cpp answers: the whole application logic of the example.

#include <string>

#include "http_request.hpp"

// The version this build serves, from version.hpp (included by handler.cpp only, so an edit to it
// recompiles one file).
const char* app_version();

// The full response (status line, headers, body) to `request`. `closing`: add "Connection: close".
std::string respond(const HttpRequest& request, bool closing);

// A response for a request that could not be parsed; the connection closes after it.
std::string respond_error(int status, const char* reason);
