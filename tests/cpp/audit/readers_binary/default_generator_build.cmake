# ctest driver: a plain `cmake -S . -B build && cmake --build build` as packagers run it,
# with CMake's default generator (Unix Makefiles here; CMAKE_GENERATOR unset) rather than
# the presets' Ninja, in a fresh folder, building the binary readers: their protoc step
# is what needs its output folder made. The same compiler (ccache) as the main build.
file(REMOVE_RECURSE ${WORK})
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env --unset=CMAKE_GENERATOR
          ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK} -DCMAKE_CXX_COMPILER=${CXX}
          -DCMAKE_BUILD_TYPE=Release -DMETRICAUDIT_CUDA=OFF -DMETRICAUDIT_BUILD_TESTS=OFF
          -DMETRICAUDIT_BUILD_BENCH=OFF
  RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "configuring with the default generator failed: ${rc}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK} --target metricaudit_binary_readers
                        --parallel 2
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "building the binary readers with the default generator failed: ${rc}")
endif()
file(REMOVE_RECURSE ${WORK})
