// The readers and writers the scheduler's tests name in their job scripts: the otsync binary's
// otsstream reader and its odps and stream writers.
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

}  // namespace otsync::schedule
