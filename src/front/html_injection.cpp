#include "front/html_injection.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/core.h>

namespace hotswap {

namespace {

char lower(char c) { return char(std::tolower(static_cast<unsigned char>(c))); }

bool contains_ignoring_case(std::string_view haystack, std::string_view needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                       [](char a, char b) { return lower(a) == lower(b); }) != haystack.end();
}

// The position of the last `needle` in `haystack`, ignoring case; npos when none.
size_t rfind_ignoring_case(std::string_view haystack, std::string_view needle) {
    if (needle.size() > haystack.size()) return std::string_view::npos;
    for (size_t i = haystack.size() - needle.size() + 1; i-- > 0;) {
        bool same = true;
        for (size_t j = 0; j < needle.size() && same; ++j) same = lower(haystack[i + j]) == lower(needle[j]);
        if (same) return i;
    }
    return std::string_view::npos;
}

std::string_view media_type(std::string_view content_type) {
    std::string_view t = content_type.substr(0, content_type.find(';'));
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    return t;
}

// Only what a nonce may hold (base64 and its URL-safe form): it is written into an attribute.
bool nonce_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=' || c == '-' || c == '_'; }

}  // namespace

bool wants_injection(const MessageHead& request) {
    if (request.method != "GET") return false;
    const auto& f = request.fields;
    if (f.find("Range") || f.find("HX-Request") || f.find("Turbo-Frame")) return false;
    if (auto dest = f.find("Sec-Fetch-Dest"); dest && !equals_ignoring_case(*dest, "document") &&
                                              !equals_ignoring_case(*dest, "iframe"))
        return false;
    auto accept = f.find("Accept");
    return accept && contains_ignoring_case(*accept, "text/html");
}

void ask_for_identity(MessageHead& request) { request.fields.remove("Accept-Encoding"); }

bool injectable_response(const MessageHead& response) {
    if (response.status < 200 || response.status > 299 || response.status == 204 || response.status == 206) return false;
    const auto& f = response.fields;
    auto type = f.find("Content-Type");
    if (!type || !equals_ignoring_case(media_type(*type), "text/html")) return false;
    if (auto coding = f.find("Content-Encoding"); coding && !equals_ignoring_case(*coding, "identity")) return false;
    if (auto disposition = f.find("Content-Disposition"); disposition && contains_ignoring_case(*disposition, "attachment"))
        return false;
    return true;
}

std::string csp_nonce(const MessageHead& response) {
    for (const auto& field : response.fields) {
        if (!equals_ignoring_case(field.name, "Content-Security-Policy")) continue;
        // The directive that governs scripts: script-src-elem, script-src, else default-src.
        std::string found[3];
        std::string_view rest = field.value;
        while (!rest.empty()) {
            const size_t end = rest.find(';');
            std::string_view directive = rest.substr(0, end);
            rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
            while (!directive.empty() && directive.front() == ' ') directive.remove_prefix(1);
            const size_t space = directive.find(' ');
            const std::string_view name = directive.substr(0, space);
            const int slot = equals_ignoring_case(name, "script-src-elem") ? 0
                             : equals_ignoring_case(name, "script-src")    ? 1
                             : equals_ignoring_case(name, "default-src")   ? 2
                                                                           : -1;
            if (slot < 0 || space == std::string_view::npos) continue;
            const size_t at = directive.find("'nonce-");
            if (at == std::string_view::npos) continue;
            size_t i = at + 7;
            std::string nonce;
            while (i < directive.size() && nonce_char(directive[i])) nonce += directive[i++];
            if (i < directive.size() && directive[i] == '\'' && !nonce.empty()) found[slot] = nonce;
        }
        for (const auto& n : found)
            if (!n.empty()) return n;
    }
    return {};
}

std::string live_reload_tag(int generation, std::string_view nonce) {
    std::string tag = fmt::format("<script src=\"{}live.js\" data-hotswap-generation=\"{}\"", kLiveReloadPrefix, generation);
    if (!nonce.empty()) tag += fmt::format(" nonce=\"{}\"", nonce);
    tag += "></script>";
    return tag;
}

std::string inject_tag(std::string_view html, std::string_view tag) {
    size_t at = rfind_ignoring_case(html, "</body");
    if (at == std::string_view::npos) at = rfind_ignoring_case(html, "</html");
    if (at == std::string_view::npos) at = html.size();
    std::string out;
    out.reserve(html.size() + tag.size());
    out.append(html.substr(0, at));
    out.append(tag);
    out.append(html.substr(at));
    return out;
}

}  // namespace hotswap
