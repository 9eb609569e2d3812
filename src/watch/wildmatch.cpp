#include "watch/wildmatch.hpp"

#include <cctype>
#include <cstring>
#include <string>

namespace hotswap {

namespace {

// The three results of git's dowild(): ABORT_* let a failed `*` stop its callers early, which matters
// for speed only, except that ABORT_TO_STARSTAR also keeps `*` from crossing '/' under `**`.
enum Outcome { Match = 0, NoMatch = 1, AbortAll = -1, AbortToStarStar = -2 };

using uchar = unsigned char;

bool is_glob_special(uchar c) { return c == '*' || c == '?' || c == '[' || c == '\\'; }

bool class_matches(std::string_view name, uchar c, bool& known) {
    known = true;
    if (name == "alnum") return std::isalnum(c);
    if (name == "alpha") return std::isalpha(c);
    if (name == "blank") return c == ' ' || c == '\t';
    if (name == "cntrl") return std::iscntrl(c);
    if (name == "digit") return std::isdigit(c);
    if (name == "graph") return std::isgraph(c);
    if (name == "lower") return std::islower(c);
    if (name == "print") return std::isprint(c);
    if (name == "punct") return std::ispunct(c);
    if (name == "space") return std::isspace(c);
    if (name == "upper") return std::isupper(c);
    if (name == "xdigit") return std::isxdigit(c);
    known = false;
    return false;
}

// Both strings are NUL-terminated views into std::strings owned by wildmatch(); the algorithm is git's,
// which walks with pointers and peeks one past the current character.
int dowild(const uchar* p, const uchar* text, bool pathname) {
    const uchar* pattern = p;
    for (uchar p_ch; (p_ch = *p) != '\0'; text++, p++) {
        int matched, match_slash, negated;
        uchar t_ch, prev_ch;
        if ((t_ch = *text) == '\0' && p_ch != '*') return AbortAll;
        switch (p_ch) {
            case '\\':
                // Literal match with the next character; a trailing backslash fails in the default case.
                p_ch = *++p;
                [[fallthrough]];
            default:
                if (t_ch != p_ch) return NoMatch;
                continue;
            case '?':
                if (pathname && t_ch == '/') return NoMatch;
                continue;
            case '*':
                if (*++p == '*') {
                    const uchar* prev_p = p - 2;
                    while (*++p == '*') {
                    }
                    if ((prev_p < pattern || *prev_p == '/') &&
                        (*p == '\0' || *p == '/' || (p[0] == '\\' && p[1] == '/'))) {
                        // "foo/**/bar" also matches "foo/bar": try `**/` as matching nothing first.
                        if (p[0] == '/' && dowild(p + 1, text, pathname) == Match) return Match;
                        match_slash = 1;
                    } else {
                        match_slash = 0;  // `**` not a whole component: an ordinary `*`
                    }
                } else {
                    match_slash = pathname ? 0 : 1;
                }
                if (*p == '\0') {
                    // A trailing `**` matches everything; a trailing `*` only within one component.
                    if (!match_slash && std::strchr(reinterpret_cast<const char*>(text), '/')) return NoMatch;
                    return Match;
                } else if (!match_slash && *p == '/') {
                    // One `*` followed by '/' matches the rest of this component.
                    const char* slash = std::strchr(reinterpret_cast<const char*>(text), '/');
                    if (!slash) return NoMatch;
                    text = reinterpret_cast<const uchar*>(slash);
                    break;  // the slash itself is consumed by the loop
                }
                for (;;) {
                    if (t_ch == '\0') break;
                    // Skip ahead to the next occurrence of a literal that must follow the star.
                    if (!is_glob_special(*p)) {
                        p_ch = *p;
                        while ((t_ch = *text) != '\0' && (match_slash || t_ch != '/')) {
                            if (t_ch == p_ch) break;
                            text++;
                        }
                        if (t_ch != p_ch) return NoMatch;
                    }
                    if ((matched = dowild(p, text, pathname)) != NoMatch) {
                        if (!match_slash || matched != AbortToStarStar) return matched;
                    } else if (!match_slash && t_ch == '/') {
                        return AbortToStarStar;
                    }
                    t_ch = *++text;
                }
                return AbortAll;
            case '[':
                p_ch = *++p;
                if (p_ch == '^') p_ch = '!';
                negated = p_ch == '!' ? 1 : 0;
                if (negated) p_ch = *++p;
                prev_ch = 0;
                matched = 0;
                do {
                    if (!p_ch) return AbortAll;
                    if (p_ch == '\\') {
                        p_ch = *++p;
                        if (!p_ch) return AbortAll;
                        if (t_ch == p_ch) matched = 1;
                    } else if (p_ch == '-' && prev_ch && p[1] && p[1] != ']') {
                        p_ch = *++p;
                        if (p_ch == '\\') {
                            p_ch = *++p;
                            if (!p_ch) return AbortAll;
                        }
                        if (t_ch <= p_ch && t_ch >= prev_ch) matched = 1;
                        p_ch = 0;  // so that prev_ch becomes 0: "a-c-e" is a-c, '-', 'e'
                    } else if (p_ch == '[' && p[1] == ':') {
                        const uchar* s;
                        for (s = p += 2; (p_ch = *p) && p_ch != ']'; p++) {
                        }
                        if (!p_ch) return AbortAll;
                        long i = p - s - 1;
                        if (i < 0 || p[-1] != ':') {
                            // No ":]": an ordinary '[' in the set.
                            p = s - 2;
                            p_ch = '[';
                            if (t_ch == p_ch) matched = 1;
                            continue;
                        }
                        bool known;
                        if (class_matches(std::string_view(reinterpret_cast<const char*>(s), size_t(i)), t_ch, known))
                            matched = 1;
                        if (!known) return AbortAll;  // malformed [:class:]
                        p_ch = 0;
                    } else if (t_ch == p_ch) {
                        matched = 1;
                    }
                } while (prev_ch = p_ch, (p_ch = *++p) != ']');
                if (matched == negated || (pathname && t_ch == '/')) return NoMatch;
                continue;
        }
    }
    return *text ? NoMatch : Match;
}

}  // namespace

bool wildmatch(std::string_view pattern, std::string_view text, WildFlags flags) {
    // dowild() needs NUL-terminated strings; names with an embedded NUL cannot exist on Linux.
    thread_local std::string p, t;
    p.assign(pattern);
    t.assign(text);
    return dowild(reinterpret_cast<const uchar*>(p.c_str()), reinterpret_cast<const uchar*>(t.c_str()),
                  flags == WildFlags::Pathname) == Match;
}

}  // namespace hotswap
