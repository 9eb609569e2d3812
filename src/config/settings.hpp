#pragma once
// The settings table: one row per setting, naming its hotswap.toml key, its flag and how each of them
// reaches the Config. The config file reader, the command line and the unknown-key suggestions all read
// this one table, so a new setting is one new row.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/toml_value.hpp"
#include "core/result.hpp"

namespace hotswap {

// A Config being filled from hotswap.toml. A few keys only make sense together once the whole file is read:
// [run] args follow cmd whichever comes first, and [ready] kind joins its url, address, pattern or delay.
struct ConfigDraft {
    Config& config;
    std::vector<std::string> run_args;
    std::string ready_kind;
    std::string ready_detail;

    void finish();
};

// How a flag takes its values on the command line (each maps to one CLI11 option shape).
enum class FlagForm {
    Value,           // --flag VALUE
    OptionalValue,   // --flag or --flag=VALUE
    Repeated,        // --flag A --flag B (or --flag A B)
    CommaSeparated,  // Repeated, and each value may be A,B
    Switch,          // --flag, no value
};

// What was given to one flag: its long name (for errors) and its values (none for a Switch).
struct FlagValues {
    std::string_view name{};
    std::span<const std::string> values;
};

struct Setting {
    std::string_view section{};  // the hotswap.toml table: "watch", "run", …; empty for the top level
    std::string_view key{};      // empty: a flag with no key
    std::string_view flag{};     // CLI11's names, "-w,--watch"; empty: a key with no flag
    FlagForm form = FlagForm::Value;
    std::string_view help{};
    Result<void> (*read)(const TomlValue& value, ConfigDraft& draft) = nullptr;
    Result<void> (*apply)(const FlagValues& given, Config& config) = nullptr;

    // "--watch" for "-w,--watch": the name errors use.
    std::string_view long_flag() const;
};

// The tables of hotswap.toml, in the order they are read (which decides the error shown when a file has
// several). An empty name is the top level.
enum class SectionShape { Table, ArrayOfTables };
struct Section {
    std::string_view name{};
    SectionShape shape = SectionShape::Table;
    // A key every table of this section must have, and the message when it is missing.
    std::string_view required_key{};
    std::string_view missing_message{};
    // For an ArrayOfTables: the error when the section is written as something else.
    std::string_view shape_message{};
    // Called before the keys of each table of an ArrayOfTables are read.
    void (*begin_item)(Config& config) = nullptr;
};

std::span<const Setting> settings();
std::span<const Section> sections();

// The keys known in a section, in the table's order: what suggestions and "known keys: …" list. The top
// level's keys include the section names.
std::vector<std::string_view> known_keys(std::string_view section);
// The row for a key, or null when the key is unknown there.
const Setting* find_setting(std::string_view section, std::string_view key);

}  // namespace hotswap
