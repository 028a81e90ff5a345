// The readers and writers the scheduler's tests name in their job scripts: the otsync binary's
// otsstream reader and its odps and stream writers; and the tests' usual script.
#pragma once

#include "readers/otsstream/otsstream_reader.h"
#include "sync/plugin_registry.h"
#include "writers/odps/warehouse_cli.h"
#include "writers/stream/stream_writer.h"

namespace otsync::schedule {

inline const sync::PluginRegistry& TestPlugins() {
  static const sync::PluginRegistry* plugins = [] {
    auto* registry = new sync::PluginRegistry();
    registry->AddReader(readers::otsstream::OtsStreamReaderPlugin());
    registry->AddWriter(odps::OdpsWriterPlugin());
    registry->AddWriter(writers::StreamWriterPlugin());
    return registry;
  }();
  return *plugins;
}

// A minute task's script: the otsstream reader over the instance's ${startTime}..${endTime} into
// the stream writer.
inline constexpr const char* kStreamTaskScript = R"({
  "type": "job", "version": "1.0",
  "configuration": {
    "reader": {"plugin": "otsstream", "parameter": {
      "datasource": "otsstream", "dataTable": "person", "statusTable": "status",
      "startTimeString": "${startTime}", "endTimeString": "${endTime}"}},
    "writer": {"plugin": "stream", "parameter": {"print": true}}
  }
})";

}  // namespace otsync::schedule
