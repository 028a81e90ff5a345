// What to do next, for the failures a newcomer meets first on an `ots` data source: nothing
// answers at the endpoint, the table is missing, or its Stream is off. Used by `otsync table` and
// by the otsstream reader, so both say the same.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace otsync::sync {

// Whether the client got no HTTP answer at all (client::Client reports such failures as
// kUnavailable "network error: ..."): refused, unresolvable, timed out while connecting.
bool IsNetworkFailure(const Status& status);

// `status` unchanged unless IsNetworkFailure; then kUnavailable naming the data source and its
// address, the client's words, and the likely fix: for a loopback endpoint, starting otsd; for
// any other, checking the endpoint and the network. `datasource` may be empty (a connection
// written into the job script). Never contains a secret (the endpoint holds none).
Status ExplainNetworkFailure(const Status& status, std::string_view datasource,
                             std::string_view endpoint);

// "enable it with: otsync table enable-stream person" (plus " --datasource NAME" for a data
// source other than the default `otsstream`; nothing about the data source when it is empty).
std::string EnableStreamHint(std::string_view table, std::string_view datasource);

// "no table 'person' (otsync table list shows the tables; otsync table create person --pk
// 'id:string' --stream 24 creates one with the Stream on)", with " --datasource NAME" as above.
std::string MissingTableHint(std::string_view table, std::string_view datasource);

}  // namespace otsync::sync
