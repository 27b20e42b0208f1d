# Start-up with Debian's LibTorch. Its libtorch_cpu needs ~290 shared libraries (OpenCV, FFmpeg,
# GDAL and theirs, for Caffe2 operators this project never calls). Most of them look their own
# symbols up through the program's global scope, which the dynamic loader searches in
# breadth-first load order: a library loaded 237th pays 237 hash probes for each of its symbols,
# and that search was a third of a program's start-up (`perf record gpt2 --help`: do_lookup_x).
# gpt2_load_order is an empty library whose only content is that list of libraries, those with
# the most symbol relocations first; linked first into every program that loads LibTorch, it
# moves them to the front of the search (the README's performance section has the start-up
# times). A LibTorch with few dependencies (pytorch.org's builds) gets no such library.
# GPT2_LOAD_ORDER (CMakeLists.txt) turns it off.

# Below this many dependencies the search is short already.
set(gpt2_load_order_min_libraries 64)

# The shared libraries <library> needs, directly or not, with the most symbol relocations
# (GLOB_DAT, 64, JUMP_SLOT: the ones the loader looks up by name) first, into <out>. Cached in
# the build folder, keyed by the library's path and time stamp (counting takes ~4 s).
function(gpt2_dependencies_by_relocations library out)
  file(TIMESTAMP ${library} stamp "%s")
  set(key "${library} ${stamp}")
  set(cache ${CMAKE_BINARY_DIR}/gpt2_load_order.txt)
  if(EXISTS ${cache})
    file(STRINGS ${cache} lines)
    list(POP_FRONT lines cached_key)
    if(cached_key STREQUAL key)
      set(${out} ${lines} PARENT_SCOPE)
      return()
    endif()
  endif()
  find_program(GPT2_LDD ldd)
  find_program(GPT2_READELF NAMES readelf ${CMAKE_READELF})
  if(NOT GPT2_LDD OR NOT GPT2_READELF)
    set(${out} "" PARENT_SCOPE)
    return()
  endif()
  execute_process(COMMAND ${GPT2_LDD} ${library} OUTPUT_VARIABLE listing RESULT_VARIABLE failed
                  ERROR_QUIET)
  string(REGEX MATCHALL "=> (/[^ \n]+)" found "${listing}")
  list(TRANSFORM found REPLACE "^=> " "")
  set(ordered)
  list(LENGTH found count)
  if(NOT failed AND count GREATER_EQUAL gpt2_load_order_min_libraries)
    execute_process(
      COMMAND sh -c "\"$0\" -r -W \"$@\" 2>/dev/null | awk '/^File: / { f = $2 } \
/R_X86_64_(GLOB_DAT|64|JUMP_SLOT) / { n[f]++ } END { for (f in n) print n[f], f }' \
| sort -k1,1nr -k2" ${GPT2_READELF} ${found}
      OUTPUT_VARIABLE counted)
    string(REGEX MATCHALL "[0-9]+ (/[^\n]+)" ordered "${counted}")
    list(TRANSFORM ordered REPLACE "^[0-9]+ " "")
    # Those without such relocations go last, in load order.
    foreach(path ${found})
      if(NOT path IN_LIST ordered)
        list(APPEND ordered ${path})
      endif()
    endforeach()
  endif()
  string(REPLACE ";" "\n" text "${key};${ordered}")
  file(WRITE ${cache} "${text}\n")
  set(${out} ${ordered} PARENT_SCOPE)
endfunction()

# Makes gpt2_load_order and links it first into every program in <directories> (and their
# subdirectories) that loads LibTorch. Call once, after every target is declared.
function(gpt2_order_torch_dependencies)
  if(NOT GPT2_LOAD_ORDER OR NOT TARGET torch_cpu)
    return()
  endif()
  get_target_property(torch_cpu_file torch_cpu LOCATION)
  if(NOT torch_cpu_file OR NOT EXISTS ${torch_cpu_file})
    return()
  endif()
  gpt2_dependencies_by_relocations(${torch_cpu_file} ordered)
  if(NOT ordered)
    return()
  endif()
  set(source ${CMAKE_BINARY_DIR}/gpt2_load_order.cpp)
  if(NOT EXISTS ${source})
    file(WRITE ${source} "// Empty: the library is its list of needed libraries (cmake/LoadOrder.cmake).\n")
  endif()
  add_library(gpt2_load_order SHARED ${source})
  target_link_options(gpt2_load_order PRIVATE LINKER:--no-as-needed)
  target_link_libraries(gpt2_load_order PRIVATE ${ordered})
  set_target_properties(gpt2_load_order PROPERTIES UNITY_BUILD OFF)
  install(TARGETS gpt2_load_order LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})

  gpt2_torch_targets_in(targets ${ARGN})
  foreach(target ${targets})
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "EXECUTABLE")
      # First on the link line, so first among the program's needed libraries; kept even
      # though the program uses none of its (absent) symbols.
      get_target_property(libraries ${target} LINK_LIBRARIES)
      set_target_properties(${target} PROPERTIES LINK_LIBRARIES
        "-Wl,--push-state,--no-as-needed;gpt2_load_order;-Wl,--pop-state;${libraries}")
    endif()
  endforeach()
endfunction()
