# Runs one case of the bad-input catalogue: `metricaudit <args>` in the case's folder,
# and compares the exit status, stdout and stderr with the case's expected.txt exactly:
#
#   status: 2
#   --- stdout
#   <stdout, byte for byte>
#   --- stderr
#   <stderr, byte for byte>
#
#   cmake -DBIN=<metricaudit> -DCASE=<folder> [-DVERSION=x.y.z] [-DUPDATE=ON] -P run_case.cmake
#
# UPDATE=ON rewrites expected.txt from what the command does (review the diff).
if(NOT BIN OR NOT CASE)
  message(FATAL_ERROR "usage: cmake -DBIN=<metricaudit> -DCASE=<case folder> -P run_case.cmake")
endif()
set(args)
if(EXISTS ${CASE}/args)
  file(STRINGS ${CASE}/args args)
endif()
# A fixed environment: no colour, whatever the caller's terminal.
set(ENV{NO_COLOR} 1)
execute_process(COMMAND ${BIN} ${args}
  WORKING_DIRECTORY ${CASE}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err
  TIMEOUT 60)
set(actual "status: ${status}\n--- stdout\n${out}--- stderr\n${err}")
# The report's header names the version; expected.txt says <version> so a release does
# not touch the catalogue.
if(VERSION)
  string(REPLACE "metricaudit ${VERSION}\n" "metricaudit <version>\n" actual "${actual}")
endif()
if(UPDATE)
  file(WRITE ${CASE}/expected.txt "${actual}")
  return()
endif()
if(NOT EXISTS ${CASE}/expected.txt)
  message(FATAL_ERROR "${CASE}/expected.txt is missing; the command gave:\n${actual}")
endif()
file(READ ${CASE}/expected.txt expected)
if(NOT actual STREQUAL expected)
  message(FATAL_ERROR "${CASE}: the command's result differs from expected.txt\n"
    "---------- expected\n${expected}\n---------- actual\n${actual}")
endif()
