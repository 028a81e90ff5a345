#include "schedule/parameter_list.h"

#include <set>

#include "schedule/parameter_expression.h"
#include "sync/variables.h"

namespace otsync::schedule {

Result<Parameter> ParseParameterAssignment(std::string_view text) {
  size_t equals = text.find('=');
  if (equals == std::string_view::npos) {
    return Status::InvalidArgument("'" + std::string(text) + "' is not name=expression");
  }
  std::string_view name = text.substr(0, equals);
  if (!sync::IsValidVariableName(name)) {
    return Status::InvalidArgument("parameter name '" + std::string(name) +
                                   "': expected letters, digits, '_', '.' or '-'");
  }
  return Parameter{std::string(name), std::string(text.substr(equals + 1))};
}

Result<std::vector<Parameter>> ParseParameterList(std::string_view text) {
  std::vector<Parameter> parameters;
  std::set<std::string, std::less<>> names;
  size_t position = 0;
  while (true) {
    position = text.find_first_not_of(' ', position);
    if (position == std::string_view::npos) break;
    // An item ends at the first space outside ${...} and $[...].
    size_t end = position;
    char closer = '\0';
    while (end < text.size() && (text[end] != ' ' || closer != '\0')) {
      if (closer == '\0' && text[end] == '$' && end + 1 < text.size() &&
          (text[end + 1] == '{' || text[end + 1] == '[')) {
        closer = text[end + 1] == '{' ? '}' : ']';
        ++end;
      } else if (text[end] == closer) {
        closer = '\0';
      }
      ++end;
    }
    OTSYNC_ASSIGN_OR_RETURN(Parameter parameter,
                            ParseParameterAssignment(text.substr(position, end - position)));
    std::string_view item = text.substr(position, end - position);
    if (closer != '\0') {
      return Status::InvalidArgument("parameter " + parameter.name + ": '" +
                                     std::string(closer == '}' ? "${" : "$[") + "' is not closed");
    }
    if (item.find(' ') != std::string_view::npos) {
      return Status::InvalidArgument("parameter " + parameter.name +
                                     ": the expression contains a space, which DataWorks does "
                                     "not allow");
    }
    if (!names.insert(parameter.name).second) {
      return Status::InvalidArgument("parameter " + parameter.name + " is given twice");
    }
    parameters.push_back(std::move(parameter));
    position = end;
  }
  return parameters;
}

Result<std::vector<std::pair<std::string, std::string>>> ResolveParameters(
    const std::vector<Parameter>& parameters, const InstanceTimes& times) {
  std::vector<std::pair<std::string, std::string>> values;
  for (const Parameter& parameter : parameters) {
    Result<std::string> value = ResolveExpression(parameter.expression, times);
    if (!value.ok()) {
      return Status::InvalidArgument("parameter " + parameter.name + ": " +
                                     value.status().message());
    }
    values.emplace_back(parameter.name, std::move(*value));
  }
  return values;
}

}  // namespace otsync::schedule
