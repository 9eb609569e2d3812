#include "handler.hpp"

#include <string_view>

#include "version.hpp"

namespace {

std::string response(int status, std::string_view reason, std::string_view body, bool closing, bool head_only,
                     std::string_view extra_headers = "") {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
    out += "Content-Type: text/plain; charset=utf-8\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    out += extra_headers;
    if (closing) out += "Connection: close\r\n";
    out += "\r\n";
    if (!head_only) out += body;
    return out;
}

}  // namespace

const char* app_version() { return kVersion; }

std::string respond(const HttpRequest& request, bool closing) {
    bool head = request.method == "HEAD";
    if (request.method != "GET" && !head)
        return response(405, "Method Not Allowed", "only GET and HEAD\n", closing, false, "Allow: GET, HEAD\r\n");
    if (request.target == "/")
        return response(200, "OK", std::string("hello from hello-cpp ") + kVersion + "\n", closing, head);
    if (request.target == "/healthz") return response(200, "OK", "ok\n", closing, head);
    return response(404, "Not Found", "not found\n", closing, head);
}

std::string respond_error(int status, const char* reason) {
    return response(status, reason, std::string(reason) + "\n", true, false);
}
