#include "sync/record.h"

namespace otsync::sync {

size_t Record::ByteSize() const {
  size_t total = 0;
  for (const Field& field : fields) total += field.DataSize();
  return total;
}

}  // namespace otsync::sync
