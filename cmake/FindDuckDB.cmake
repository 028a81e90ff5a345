# FindDuckDB: the pinned DuckDB C API that scripts/fetch_duckdb.sh places in
# third_party/duckdb/{lib,include} (from the npm packages named in docs/design.md).
#
# Defines the imported target DuckDB::duckdb (libduckdb.so plus duckdb.h). Binaries linking it get
# an RPATH to third_party/duckdb/lib, so they run from the build tree without LD_LIBRARY_PATH.
# DUCKDB_ROOT overrides the folder searched.

set(DUCKDB_ROOT "${CMAKE_SOURCE_DIR}/third_party/duckdb" CACHE PATH
    "Folder holding the pinned DuckDB (lib/libduckdb.so, include/duckdb.h)")

find_path(DuckDB_INCLUDE_DIR duckdb.h PATHS "${DUCKDB_ROOT}/include" NO_DEFAULT_PATH)
find_library(DuckDB_LIBRARY duckdb PATHS "${DUCKDB_ROOT}/lib" NO_DEFAULT_PATH)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(DuckDB
  REQUIRED_VARS DuckDB_LIBRARY DuckDB_INCLUDE_DIR
  REASON_FAILURE_MESSAGE
    "the pinned DuckDB is not in ${DUCKDB_ROOT}: run scripts/setup.sh (or scripts/fetch_duckdb.sh) to fetch it")

if(DuckDB_FOUND AND NOT TARGET DuckDB::duckdb)
  get_filename_component(DuckDB_LIBRARY_DIR "${DuckDB_LIBRARY}" DIRECTORY)
  add_library(DuckDB::duckdb SHARED IMPORTED)
  set_target_properties(DuckDB::duckdb PROPERTIES
    IMPORTED_LOCATION "${DuckDB_LIBRARY}"
    IMPORTED_SONAME "libduckdb.so"
    INTERFACE_INCLUDE_DIRECTORIES "${DuckDB_INCLUDE_DIR}"
    INTERFACE_LINK_OPTIONS "LINKER:-rpath,${DuckDB_LIBRARY_DIR}")
endif()
mark_as_advanced(DuckDB_INCLUDE_DIR DuckDB_LIBRARY)
