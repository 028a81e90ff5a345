// A task's parameters as DataWorks writes them, "name1=expr1 name2=expr2", and their values for
// one instance.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "schedule/instance_times.h"

namespace otsync::schedule {

struct Parameter {
  std::string name;
  std::string expression;

  bool operator==(const Parameter&) const = default;
};

// "name=expression", split at the first '='. The name is what a job script can reference as
// ${name} (letters, digits, '_', '.' and '-'); the expression is checked when it is resolved.
Result<Parameter> ParseParameterAssignment(std::string_view text);

// Assignments separated by spaces. A space inside ${...} or $[...] would split an expression, so
// it is refused naming the parameter; so is a name given twice.
Result<std::vector<Parameter>> ParseParameterList(std::string_view text);

// Every parameter's value, in order. The first expression that does not resolve fails the whole
// list with kInvalidArgument: "parameter NAME: reason".
Result<std::vector<std::pair<std::string, std::string>>> ResolveParameters(
    const std::vector<Parameter>& parameters, const InstanceTimes& times);

}  // namespace otsync::schedule
