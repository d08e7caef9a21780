# XTRADER_SANITIZE=ON builds everything with AddressSanitizer and UndefinedBehaviorSanitizer.
# UBSan is made fatal so that a report fails the test that triggered it.
option(XTRADER_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(XTRADER_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                        -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
endif()

# XTRADER_FUZZ=ON (clang only) instruments everything for libFuzzer as well and builds the fuzz
# targets of tests/fuzz.
option(XTRADER_FUZZ "Build the libFuzzer targets (clang), with ASan + UBSan" OFF)
if(XTRADER_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "XTRADER_FUZZ needs clang (CXX=clang++)")
    endif()
    add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                        -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
endif()
