#include "axon/cli.h"

#include <pwd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "axon/cli_local.h"
#include "axon/cli_search.h"
#include "axon/config.h"
#include "axon/core_client.h"
#include "axon/hub_installer.h"
#include "axon/installer.h"
#include "axon/local_source.h"
#include "axon/package_archive.h"
#include "axon/report.h"
#include "axon/store.h"
#include "axon/url_install.h"
#include "axon/version.h"

namespace mlos::axon {
namespace {

constexpr char kFooter[] = R"(Environment:
  AXON_HOME           model store (default ~/.axon)
  MLOS_CORE_ENDPOINT  MLOS Core URL for register (default http://127.0.0.1:8080)
  HF_ENDPOINT         Hugging Face endpoint (default https://huggingface.co)
  HF_TOKEN            Hugging Face access token, for gated and private models
  MODELSCOPE_DOMAIN   ModelScope host (default www.modelscope.cn)
  MODELSCOPE_API_TOKEN  ModelScope access token, for private models
  KAGGLE_API_ENDPOINT Kaggle endpoint (default https://www.kaggle.com)
  KAGGLE_USERNAME, KAGGLE_KEY (or KAGGLE_API_TOKEN)  Kaggle credentials
  TFHUB_ENDPOINT      TF Hub endpoint (default https://tfhub.dev)
  GITHUB_TOKEN        GitHub token for PyTorch Hub repositories (API requests only)
  AXON_PYTORCH_GITHUB_ENDPOINT, AXON_PYTORCH_GITHUB_API_ENDPOINT,
  AXON_PYTORCH_WEIGHTS_MIRROR  PyTorch Hub endpoints (docs/axon.md)
  AXON_PYTORCH_INPUT_SHAPE, AXON_PYTORCH_ENTRY_KWARGS  PyTorch Hub conversion input shape
                      and entry-point arguments

Exit codes:
  0  success
  1  usage error (unknown command or option, missing argument)
  2  bad input: spec, model, manifest, config key or package invalid; model not
     installed; already installed with other content (use --force); verify found
     files that differ from the manifest
  3  MLOS Core unreachable, or it refused the request
  4  local failure: the disk or the store could not be read or written, or the
     store is busy (cache clean/prune while an install runs)
)";

std::string DefaultHome() { return AxonHome(); }

int Fail(std::ostream& err, const Status& status, std::optional<int> exit_code = std::nullopt) {
  err << "axon: error: " << status.message() << "\n";
  if (exit_code) return *exit_code;
  return status.code() == StatusCode::kInternal ? kExitLocalFailure : kExitBadInput;
}

std::string Dump(const nlohmann::json& json) {
  return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

const char* OutcomeName(InstallOutcome outcome) {
  switch (outcome) {
    case InstallOutcome::kInstalled:
      return "installed";
    case InstallOutcome::kReplaced:
      return "replaced";
    case InstallOutcome::kUnchanged:
      return "unchanged";
  }
  return "installed";
}

struct InstallArgs {
  std::string spec;
  std::string as;
  std::string revision;
  std::string format = "auto";
  bool force = false;
  bool json = false;
};

int Install(const InstallArgs& args, std::ostream& out, std::ostream& err) {
  const bool from_url = IsPackageUrl(args.spec);
  const bool local = !from_url && IsLocalSpec(args.spec);
  AxonConfig config;
  if (!from_url && !local) {
    StatusOr<AxonConfig> loaded = AxonConfig::Load(DefaultHome());
    if (!loaded.ok()) return Fail(err, loaded.status());
    config = *loaded;
  }
  const bool from_hub = !from_url && !local && IsHubSpec(args.spec, config);
  if (!from_hub && !from_url && !local) {
    return Fail(err, InvalidArgument("\"" + args.spec +
                                     "\" is not a local directory, .onnx file, package or file:// "
                                     "URL, nor a package URL (https://.../F.axon), nor a hub "
                                     "model id (hf/<org>/<name>[@revision]); other namespaces "
                                     "need a registry (axon config set registry.url URL)"));
  }
  InstallOptions options;
  options.force = args.force;
  options.format = *ParseFormatWanted(args.format);  // CLI11 checked it
  std::string spec = args.spec;
  if (!args.revision.empty()) {
    if (!from_hub) return Fail(err, InvalidArgument("--revision applies to hub models only"));
    if (spec.find('@') != std::string::npos) {
      return Fail(err, InvalidArgument("\"" + spec +
                                       "\" already names a revision; drop --revision "
                                       "or the @" +
                                       spec.substr(spec.find('@') + 1)));
    }
    spec += "@" + args.revision;
    if (!IsHubSpec(spec, config))
      return Fail(err,
                  InvalidArgument("--revision \"" + args.revision + "\" is not a valid revision"));
  }
  if (!args.as.empty()) {
    StatusOr<ModelRef> ref = ParseModelRef(args.as);
    if (!ref.ok()) return Fail(err, ref.status().WithContext("--as"));
    options.as = *ref;
  }
  Store store(DefaultHome());
  Progress progress = Progress::ForTerminal(stderr);
  StatusOr<InstallResult> result = from_hub   ? InstallFromHub(store, spec, options, progress)
                                   : from_url ? InstallPackageFromUrl(store, spec, options, progress)
                                              : InstallLocalOrPackage(store, spec, options, progress);
  if (!result.ok()) return Fail(err, result.status());
  const InstalledModel& model = result->model;
  if (args.json) {
    nlohmann::json json = ModelJson(model);
    json["outcome"] = OutcomeName(result->outcome);
    out << Dump(json) << "\n";
    return kExitOk;
  }
  if (result->outcome == InstallOutcome::kUnchanged) {
    out << "already installed with the same content; nothing to do\n";
  } else if (result->outcome == InstallOutcome::kReplaced) {
    out << "replaced the previous install\n";
  }
  out << "installed " << model.manifest.model_id() << " -> " << model.dir << "\n";
  return kExitOk;
}

int List(const std::string& format, std::ostream& out, std::ostream& err) {
  const StoreListing listing = Store(DefaultHome()).List();
  for (const std::string& problem : listing.problems) err << "axon: warning: " << problem << "\n";
  const ListFormat list_format = format == "json"    ? ListFormat::kJson
                                 : format == "names" ? ListFormat::kNames
                                                     : ListFormat::kTable;
  out << FormatModelList(listing.models, list_format);
  return kExitOk;
}

StatusOr<InstalledModel> FindInstalled(const std::string& spec) {
  StatusOr<ModelRef> ref = ParseModelRef(spec);
  if (!ref.ok()) {
    if (IsLocalSpec(spec)) {
      return InvalidArgument("\"" + spec + "\" is a path; install it first (axon install " + spec +
                             ") and use its model id");
    }
    return ref.status();
  }
  return Store(DefaultHome()).Find(*ref);
}

int Info(const std::string& spec, bool json, std::ostream& out, std::ostream& err) {
  StatusOr<InstalledModel> model = FindInstalled(spec);
  if (!model.ok()) return Fail(err, model.status());
  out << (json ? Dump(ModelJson(*model)) + "\n" : FormatModelInfo(*model));
  return kExitOk;
}

// Core's reply as JSON (its "message" alone when the body is not JSON).
nlohmann::json ReplyJson(const CoreReply& reply) {
  const nlohmann::json body = nlohmann::json::parse(reply.body, nullptr, false);
  return body.is_discarded() ? nlohmann::json{{"message", reply.message}} : body;
}

// Registers each role of a multi-file model as its own Core model (RegistrationRoles): a line
// per role registered (--json: the array of their replies), an error per role that failed, and
// exit 3 when one did; the roles registered before and after it stay registered.
int RegisterRoles(const InstalledModel& model, const std::vector<std::string>& roles,
                  const std::string& core_url, bool json, std::ostream& out, std::ostream& err) {
  nlohmann::json replies = nlohmann::json::array();
  std::vector<std::string> registered, failed;
  for (const std::string& role : roles) {
    StatusOr<CoreReply> reply = RegisterWithCore(core_url, model, role);
    if (!reply.ok()) {
      err << "axon: error: role " << role << ": " << reply.status().message() << "\n";
      failed.push_back(role);
      continue;
    }
    registered.push_back(role);
    if (json) {
      replies.push_back(ReplyJson(*reply));
    } else {
      out << reply->message << "\n";
    }
  }
  if (json) out << Dump(replies) << "\n";
  if (failed.empty()) return kExitOk;
  const auto join = [](const std::vector<std::string>& names) {
    std::string joined;
    for (const std::string& name : names) joined += (joined.empty() ? "" : ", ") + name;
    return joined;
  };
  err << "axon: error: " << model.manifest.model_id() << ": failed roles: " << join(failed) << "; "
      << (registered.empty() ? "no role was registered"
                             : "registered roles, which stay registered: " + join(registered))
      << "\n";
  return kExitCore;
}

// `core_url` empty: MLOS_CORE_ENDPOINT, else the configured core.url.
int Register(const std::string& spec, std::string core_url, bool json, std::ostream& out,
             std::ostream& err) {
  StatusOr<InstalledModel> model = FindInstalled(spec);
  if (!model.ok()) return Fail(err, model.status());
  if (core_url.empty()) {
    StatusOr<AxonConfig> config = AxonConfig::Load(DefaultHome());
    if (!config.ok()) return Fail(err, config.status());
    core_url = DefaultCoreUrl(config->core_url());
  }
  const std::vector<std::string> roles = RegistrationRoles(model->manifest);
  if (!roles.empty()) return RegisterRoles(*model, roles, core_url, json, out, err);
  StatusOr<CoreReply> reply = RegisterWithCore(core_url, *model);
  if (!reply.ok()) return Fail(err, reply.status(), kExitCore);
  out << (json ? Dump(ReplyJson(*reply)) : reply->message) << "\n";
  return kExitOk;
}

}  // namespace

int RunAxon(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "axon: installs models into a verified local store and registers them with MLOS Core",
      "axon"};
  app.footer(kFooter);
  app.require_subcommand(1);

  InstallArgs install;
  CLI::App* install_command = app.add_subcommand(
      "install",
      "Install a model from a hub (hf/<org>/<name>[@revision]), the configured registry "
      "(<ns>/<name>[@version]), a package URL (https://.../F.axon) or a local directory, .onnx "
      "file, package (.axon) or file:// URL");
  install_command
      ->add_option("spec", install.spec,
                   "hf/<org>/<name>[@branch|tag|commit] (latest: the default branch), "
                   "<ns>/<name>[@version] from the registry, http(s) URL of a .axon, directory, "
                   ".onnx or .axon file, or file:// URL of one")
      ->required();
  install_command->add_option(
      "--as", install.as,
      "Model id to install under, ns/name[@version] (default: the hub id as given, or "
      "local/<name>@latest)");
  install_command->add_option("--revision", install.revision,
                              "Hub revision (branch, tag or commit); the same as SPEC@REVISION");
  install_command
      ->add_option("--format", install.format,
                   "What to install: auto (ONNX where there is one or it can be converted, else "
                   "TorchScript), onnx, torchscript, or native (the hub's own format, unconverted)")
      ->check(CLI::IsMember({"auto", "onnx", "torchscript", "native"}))
      ->capture_default_str();
  install_command->add_flag("--force", install.force,
                            "Replace an existing install with other content");
  install_command->add_flag("--json", install.json, "Print the result as one JSON object");

  std::string list_format = "default";
  CLI::App* list_command = app.add_subcommand("list", "List installed models");
  list_command->add_option("--format", list_format, "Output format")
      ->check(CLI::IsMember({"default", "names", "json"}));

  std::string info_spec;
  bool info_json = false;
  CLI::App* info_command = app.add_subcommand("info", "Show an installed model");
  info_command->add_option("spec", info_spec, "Model id, ns/name[@version]")->required();
  info_command->add_flag("--json", info_json, "Print the model as one JSON object");

  std::string register_spec;
  std::string core_url;
  bool register_json = false;
  CLI::App* register_command =
      app.add_subcommand("register",
                         "Register an installed model with MLOS Core (a model with several "
                         "execution files by role: one Core model per role, "
                         "<namespace>/<name>/<role>@<version>)");
  register_command->add_option("spec", register_spec, "Model id, ns/name[@version]")->required();
  register_command->add_option(
      "--core", core_url,
      "MLOS Core URL (default: MLOS_CORE_ENDPOINT, else config core.url, else "
      "http://127.0.0.1:8080)");
  register_command->add_flag("--json", register_json,
                             "Print Core's reply as JSON (per role: an array of the replies)");

  CLI::App* version_command = app.add_subcommand("version", "Print the axon version");
  const LocalCommands local_commands(app);
  const SearchCommand search_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (install_command->parsed()) return Install(install, out, err);
  if (list_command->parsed()) return List(list_format, out, err);
  if (info_command->parsed()) return Info(info_spec, info_json, out, err);
  if (register_command->parsed()) {
    return Register(register_spec, core_url, register_json, out, err);
  }
  if (std::optional<int> code = local_commands.Run(out, err)) return *code;
  if (std::optional<int> code = search_command.Run(out, err)) return *code;
  if (version_command->parsed()) out << "axon " << kAxonVersion << "\n";
  return kExitOk;
}

}  // namespace mlos::axon
