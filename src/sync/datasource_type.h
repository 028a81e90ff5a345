// Data sources and their types. A data source is a named connection ("otsstream", "odps_first")
// of a type that a plugin describes: its fields, which of them are required and which secret, the
// checks of their values, the sources a fresh data dir starts with, and how to test a source.
// The registry file (sync/datasource_registry.h), `otsync datasource` and the console's
// data-source API handle every type through these descriptors; each plugin turns a DataSource of
// its type into its own config struct (readers/otsstream/ots_datasource.h for `ots`,
// writers/odps/odps_datasource.h for `odps`), and src/tools/otsync_main.cc registers the types
// the binary carries (sync/plugin_registry.h).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace otsync::sync {

struct DataSource {
  std::string name;
  std::string type;  // A registered DataSourceType's name: "ots", "odps".
  std::string description;
  // The type's fields by DataSourceField::key; secrets in clear (never print them).
  std::map<std::string, std::string, std::less<>> fields;

  // The value of field `key`; empty when unset.
  const std::string& field(std::string_view key) const;

  bool operator==(const DataSource&) const = default;
};

struct DataSourceField {
  // As datasources.json, the console's forms and descriptions spell it: "accessKey"; never
  // "name", "type" or "description", which every source has. The `otsync datasource add` flag is
  // its words joined by dashes: --access-key.
  std::string key;
  // What a good value is, for the error a bad one gets: "a non-empty AccessKey secret".
  std::string expected;
  // The flag's help without the type's name: "the AccessKey secret".
  std::string help;
  // Required: a blank value is refused and the registry file must hold the field.
  bool required = true;
  // Secret: masked in every description, listing and API answer, never quoted in an error.
  bool secret = false;
  // A further check of a value that is not blank; empty: any value.
  std::function<bool(std::string_view value)> accepts;
  // Where `otsync datasource add` takes the value when its flag is not given, so that a secret
  // stays out of the process list; empty: nowhere.
  std::string environment_variable;
};

// A required field that is not secret and takes any value that is not blank; a type adjusts the
// rest.
DataSourceField RequiredField(std::string key, std::string expected, std::string help);

// Makes a real request to the data source; OK with a one-line description of what was reached
// ("reached instance local at http://127.0.0.1:8800: 3 tables"), or the reason it failed. The
// description and the reason never contain a secret.
using DataSourceTester = std::function<Result<std::string>(const DataSource&)>;

struct DataSourceType {
  std::string name;                     // Lowercase, as the registry file writes it: "ots".
  std::vector<DataSourceField> fields;  // In the order descriptions and `--help` list them.
  // The sources of this type a fresh data dir starts with; empty: none.
  std::function<std::vector<DataSource>(const std::string& data_dir)> defaults;
  DataSourceTester test;  // Empty: this build cannot test sources of the type.
};

// Letters, digits and underscores, beginning with a letter.
bool IsIdentifier(std::string_view text);

// The seed's rule: letters, digits and underscores; begins with a letter; at most 60 characters.
Status ValidateDataSourceName(std::string_view name);
// The name rule, then each of `type`'s fields in order (required, accepts): kInvalidArgument
// "data source NAME: FIELD: expected ...", which never contains a field's value.
Status ValidateDataSource(const DataSource& source, const DataSourceType& type);

// "****" for every secret: no character of it, not even its length, reaches a listing.
std::string MaskSecret(std::string_view secret);

// Field/value pairs for `list` and `show`, secrets masked: name, type, then the type's fields,
// then description.
std::vector<std::pair<std::string, std::string>> DescribeDataSource(const DataSource& source,
                                                                    const DataSourceType& type);

}  // namespace otsync::sync
