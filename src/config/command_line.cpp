#include "config/command_line.hpp"

#include <memory>
#include <optional>
#include <span>

#include <CLI/CLI.hpp>

#include "config/settings.hpp"
#include "core/result.hpp"

namespace hotswap {

namespace {

// What the settings' flags were given, one slot per row of the table (empty: not given). Filled by the
// CLI11 options' callbacks, applied to the Config after the config file is read.
using GivenFlags = std::vector<std::optional<std::vector<std::string>>>;

// One CLI11 option per row that has a flag, shaped by its FlagForm.
void add_setting_flags(CLI::App& app, const std::shared_ptr<GivenFlags>& given) {
    std::span<const Setting> rows = settings();
    given->resize(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
        const Setting& row = rows[i];
        if (row.flag.empty()) continue;
        std::string names(row.flag), help(row.help);
        auto one = [given, i](const std::string& value) { (*given)[i] = std::vector<std::string>{value}; };
        auto many = [given, i](const std::vector<std::string>& values) { (*given)[i] = values; };
        auto none = [given, i](int64_t) { (*given)[i] = std::vector<std::string>{}; };
        switch (row.form) {
            case FlagForm::Value: app.add_option_function<std::string>(names, one, help); break;
            case FlagForm::OptionalValue:
                app.add_option_function<std::string>(names, one, help)->expected(0, 1);
                break;
            case FlagForm::Repeated: app.add_option_function<std::vector<std::string>>(names, many, help); break;
            case FlagForm::CommaSeparated:
                app.add_option_function<std::vector<std::string>>(names, many, help)->delimiter(',');
                break;
            case FlagForm::Switch: app.add_flag_function(names, none, help); break;
        }
    }
}

// In the table's order, so that of two flags writing one field the later row wins (-q -v: verbose).
Result<void> apply_setting_flags(const GivenFlags& given, Config& config) {
    std::span<const Setting> rows = settings();
    for (size_t i = 0; i < rows.size(); ++i) {
        if (!given[i]) continue;
        HS_TRY_VOID(rows[i].apply(FlagValues{rows[i].long_flag(), *given[i]}, config));
    }
    return {};
}

}  // namespace

std::variant<CommandLine, int> parse_command_line(int argc, char** argv) {
    // Everything after the first `--` is the command, taken verbatim (never re-parsed as flags).
    std::vector<std::string> args;
    CommandLine line;
    bool in_command = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (in_command) line.command.emplace_back(a);
        else if (a == "--") in_command = true;
        else args.emplace_back(a);
    }

    CLI::App app("hotswap: rebuilds and swaps a running server on every change, without dropping a request.",
                 "hotswap");
    app.set_version_flag("--version", std::string(HOTSWAP_VERSION));
    app.fallthrough();
    app.require_subcommand(0, 1);
    app.footer("Every flag has a hotswap.toml key of the same name. Durations: 500ms, 10s, 2m.\n"
               "Exit status: 0 success; 1 a runtime failure (cannot start; a reload or rollback that did not end "
               "with the new version serving; status --ready with nothing serving); 2 a usage or configuration "
               "error; 3 no running hotswap could be reached for this directory.");

    std::string config_file;
    auto* o_config = app.add_option("-c,--config", config_file, "config file (default ./hotswap.toml when present)");
    auto given = std::make_shared<GivenFlags>();
    add_setting_flags(app, given);

    struct VerbInfo { const char* name; Verb verb; const char* help; };
    static constexpr VerbInfo kVerbs[] = {
        {"run", Verb::Run, "watch, build, run (the default)"},
        {"serve", Verb::Serve, "production: upgrade on SIGHUP, `hotswap reload` or a replaced artifact"},
        {"init", Verb::Init, "write hotswap.toml for the project found here"},
        {"status", Verb::Status, "show the running supervisor's generations"},
        {"reload", Verb::Reload, "rebuild and swap now; exit 0 once the new version serves"},
        {"rollback", Verb::Rollback, "serve the previous good build again"},
        {"history", Verb::History, "list builds and their outcomes"},
        {"stop", Verb::Stop, "stop the supervisor and its app"},
    };
    std::vector<std::pair<CLI::App*, Verb>> verbs;
    for (const auto& v : kVerbs) verbs.emplace_back(app.add_subcommand(v.name, v.help)->fallthrough(), v.verb);
    // Options that belong to one verb only.
    bool ready_check = false, force = false;
    std::string rollback_target;
    for (auto [sub, verb] : verbs) {
        if (verb == Verb::Status) sub->add_flag("--ready", ready_check, "exit 0 only when a generation serves");
        if (verb == Verb::Rollback) sub->add_option("id", rollback_target, "the build to serve (see hotswap history)");
        if (verb == Verb::Init) sub->add_flag("--force", force, "overwrite an existing hotswap.toml");
    }

    std::reverse(args.begin(), args.end());  // CLI11 takes the vector in reverse order
    try {
        app.parse(args);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    for (auto [sub, verb] : verbs)
        if (sub->parsed()) line.verb = verb;
    if (o_config->count()) line.config_file = config_file;
    line.apply = [given, ready_check, force, rollback_target](Config& c) {
        c.ready_check = ready_check;
        c.force = force;
        c.rollback_target = rollback_target;
        return apply_setting_flags(*given, c);
    };
    return line;
}

}  // namespace hotswap
