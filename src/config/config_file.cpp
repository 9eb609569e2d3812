#include "config/config_file.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/settings.hpp"
#include "config/suggest.hpp"
#include "config/toml_value.hpp"

namespace hotswap {

namespace {

// Every key of `table` must be a row of `section`; an unknown one is most often a typo, so the error
// names the nearest known key.
Result<void> check_keys(const toml::table& table, std::string_view section, const TomlPosition& position) {
    const std::vector<std::string_view> keys = known_keys(section);
    for (auto&& [key, node] : table) {
        (void)node;
        std::string_view k = key.str();
        if (std::find(keys.begin(), keys.end(), k) != keys.end()) continue;
        std::string where = section.empty() ? "at the top level" : fmt::format("in [{}]", section);
        std::string message = fmt::format("unknown key '{}' {}", k, where);
        if (auto near = nearest(k, keys)) message += fmt::format("; did you mean '{}'?", *near);
        else message += fmt::format("; known keys: {}", fmt::join(keys, ", "));
        return position.error(key.source(), message);
    }
    return {};
}

// Each value read by its row, in toml++'s (sorted) order of the keys.
Result<void> read_values(const toml::table& table, std::string_view section, const TomlPosition& position,
                         ConfigDraft& draft) {
    for (auto&& [key, node] : table) {
        const Setting* row = find_setting(section, key.str());
        if (!row) continue;  // at the top level: a section, read on its own
        HS_TRY_VOID(row->read(TomlValue(node, key.str(), position), draft));
    }
    return {};
}

// One table of a section: every key known, the required one there, then the values.
Result<void> read_table(const toml::table& table, const Section& section, const TomlPosition& position,
                        ConfigDraft& draft) {
    HS_TRY_VOID(check_keys(table, section.name, position));
    if (!section.required_key.empty() && !table.get(section.required_key))
        return position.error(table.source(), section.missing_message);
    return read_values(table, section.name, position, draft);
}

Result<void> read_section(const toml::table& root, const Section& section, const TomlPosition& position,
                          ConfigDraft& draft) {
    if (section.name.empty()) return read_values(root, section.name, position, draft);  // keys checked first
    const toml::node* node = root.get(section.name);
    if (!node) return {};
    if (section.shape == SectionShape::Table) {
        if (!node->is_table())
            return position.error(node->source(),
                                  fmt::format("'{}' must be a table: write [{}]", section.name, section.name));
        return read_table(*node->as_table(), section, position, draft);
    }
    const toml::array* array = node->as_array();
    if (!array || !array->is_array_of_tables())
        return position.error(node->source(), section.shape_message);
    for (const toml::node& item : *array) {
        if (section.begin_item) section.begin_item(draft.config);
        HS_TRY_VOID(read_table(*item.as_table(), section, position, draft));
    }
    return {};
}

}  // namespace

Result<void> read_config_file(const std::filesystem::path& file, Config& config) {
    TomlPosition position(file.string());
    toml::table root;
    try {
        root = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        if (e.source().begin.line == 0)  // not a syntax error: the file could not be read
            return Error::message(fmt::format("{}: {}", file.string(), e.description()));
        return position.error(e.source(), e.description());
    }
    // The top level's unknown keys first: a misspelt section would otherwise go unread without a word.
    HS_TRY_VOID(check_keys(root, "", position));
    ConfigDraft draft{.config = config, .run_args = {}, .ready_kind = {}, .ready_detail = {}};
    for (const Section& section : sections()) HS_TRY_VOID(read_section(root, section, position, draft));
    draft.finish();
    return {};
}

}  // namespace hotswap
