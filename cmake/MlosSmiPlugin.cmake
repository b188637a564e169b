# mlos_smi_plugin(TARGET SOURCES... [DIRECTORY dir]): builds an SMI plugin module lib<TARGET>.so
# into DIRECTORY (default <build>/lib/plugins, which mlos-core loads by default) the way every
# plugin must be built: hidden visibility, a version script that exports only smi_plugin_init
# (also keeping the symbols of static libraries linked in local), no undefined symbols, and the
# SMI header on the include path. Link what the plugin needs with target_link_libraries.
function(mlos_smi_plugin target)
  cmake_parse_arguments(ARG "" "DIRECTORY" "SOURCES" ${ARGN})
  if(NOT ARG_DIRECTORY)
    set(ARG_DIRECTORY ${CMAKE_BINARY_DIR}/lib/plugins)
  endif()
  add_library(${target} MODULE ${ARG_SOURCES} ${ARG_UNPARSED_ARGUMENTS})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/include)
  set(map ${PROJECT_SOURCE_DIR}/cmake/smi_plugin.map)
  target_link_options(${target} PRIVATE -Wl,--version-script=${map} -Wl,--no-undefined)
  set_target_properties(${target} PROPERTIES
    PREFIX "lib" C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON LINK_DEPENDS ${map}
    LIBRARY_OUTPUT_DIRECTORY ${ARG_DIRECTORY})
endfunction()
