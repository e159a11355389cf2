# The audit command's system dependencies, probed up front so that a machine without
# them gets one message naming the Debian packages to install, instead of the first
# failing find_package() deep in audit/ (pip install . reaches this too: the Python
# module carries the command). audit/*/CMakeLists.txt still find and link each one.
set(_metricaudit_missing_packages "")
find_package(CLI11 2.0 QUIET CONFIG)
if(NOT CLI11_FOUND)
  list(APPEND _metricaudit_missing_packages libcli11-dev)
endif()
find_package(nlohmann_json 3.2 QUIET)
if(NOT nlohmann_json_FOUND)
  list(APPEND _metricaudit_missing_packages nlohmann-json3-dev)
endif()
find_package(Protobuf QUIET)
if(NOT Protobuf_FOUND)
  list(APPEND _metricaudit_missing_packages libprotobuf-dev)
endif()
if(NOT Protobuf_PROTOC_EXECUTABLE)
  list(APPEND _metricaudit_missing_packages protobuf-compiler)
endif()
# libzip: the header and library only (Debian's CMake config also demands the zip
# tools; audit/readers_binary falls back to pkg-config without them).
find_path(METRICAUDIT_LIBZIP_INCLUDE zip.h)
find_library(METRICAUDIT_LIBZIP_LIBRARY zip)
if(NOT METRICAUDIT_LIBZIP_INCLUDE OR NOT METRICAUDIT_LIBZIP_LIBRARY)
  list(APPEND _metricaudit_missing_packages libzip-dev)
endif()
# libdeflate inflates .npz members (audit/readers_binary/src/npz.cpp).
find_path(METRICAUDIT_LIBDEFLATE_INCLUDE libdeflate.h)
find_library(METRICAUDIT_LIBDEFLATE_LIBRARY deflate)
if(NOT METRICAUDIT_LIBDEFLATE_INCLUDE OR NOT METRICAUDIT_LIBDEFLATE_LIBRARY)
  list(APPEND _metricaudit_missing_packages libdeflate-dev)
endif()
find_path(METRICAUDIT_BOOST_CRC_INCLUDE boost/crc.hpp)
if(NOT METRICAUDIT_BOOST_CRC_INCLUDE)
  list(APPEND _metricaudit_missing_packages libboost-dev)
endif()
if(_metricaudit_missing_packages)
  list(JOIN _metricaudit_missing_packages " " _metricaudit_missing_text)
  message(FATAL_ERROR
    "metricaudit: the audit command (and the Python package, which carries it) needs "
    "system libraries that are not installed. On Debian or Ubuntu:\n"
    "  sudo apt-get install ${_metricaudit_missing_text}\n"
    "(scripts/bootstrap installs every dependency). A C++-only build without the command: "
    "-DMETRICAUDIT_BUILD_AUDIT=OFF.")
endif()
