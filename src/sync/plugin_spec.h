// PluginSpec: a plugin's own value — its parsed `parameter` object, or the connection it resolved
// from the data-source registry — carried through the engine without the engine knowing its type.
// The plugin that made it reads it back with As<T>(); the engine only copies and compares it.
//
//   sync::PluginSpec spec = sync::PluginSpec::Of(StreamWriterSpec{...});   // in the plugin
//   const StreamWriterSpec* stream = spec.As<StreamWriterSpec>();          // in its factory
//
// Copies share one immutable value. Two specs are equal when both are empty, or both hold a value
// of the same type and those values compare equal (T needs operator==).
#pragma once

#include <memory>
#include <typeinfo>
#include <utility>

namespace otsync::sync {

class PluginSpec {
 public:
  PluginSpec() = default;

  template <typename T>
  static PluginSpec Of(T value) {
    PluginSpec spec;
    spec.value_ = std::make_shared<const T>(std::move(value));
    spec.type_ = &typeid(T);
    spec.equal_ = [](const void* left, const void* right) {
      return *static_cast<const T*>(left) == *static_cast<const T*>(right);
    };
    return spec;
  }

  // The value when it is a T; nullptr when it is empty or of another type.
  template <typename T>
  const T* As() const {
    if (type_ == nullptr || *type_ != typeid(T)) return nullptr;
    return static_cast<const T*>(value_.get());
  }

  bool has_value() const { return value_ != nullptr; }

  bool operator==(const PluginSpec& other) const {
    if (value_ == nullptr || other.value_ == nullptr) return value_ == other.value_;
    return *type_ == *other.type_ && equal_(value_.get(), other.value_.get());
  }

 private:
  std::shared_ptr<const void> value_;
  const std::type_info* type_ = nullptr;
  bool (*equal_)(const void*, const void*) = nullptr;
};

}  // namespace otsync::sync
