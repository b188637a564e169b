# Writes a C++ source defining `const char <SYMBOL>[]` (namespace NAMESPACE) as the text of INPUT,
# so a script ships inside the binary that runs it. Run as
#   cmake -DINPUT=file -DOUTPUT=file.cc -DSYMBOL=kName -DNAMESPACE=mlos::axon -P EmbedText.cmake
# (see src/axon/CMakeLists.txt). The text must not contain the raw-string delimiter
# `)mlos_embedded"`.
file(READ "${INPUT}" text)
string(FIND "${text}" ")mlos_embedded\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )mlos_embedded\"")
endif()
file(WRITE "${OUTPUT}.tmp"
     "// Generated from ${INPUT} by cmake/EmbedText.cmake; do not edit.\n"
     "namespace ${NAMESPACE} {\n"
     "extern const char ${SYMBOL}[];\n"
     "const char ${SYMBOL}[] = R\"mlos_embedded(${text})mlos_embedded\";\n"
     "}  // namespace ${NAMESPACE}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
