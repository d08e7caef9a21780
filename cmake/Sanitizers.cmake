# XTRADER_SANITIZE=ON builds everything with AddressSanitizer and UndefinedBehaviorSanitizer.
# UBSan is made fatal so that a report fails the test that triggered it.
option(XTRADER_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(XTRADER_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                        -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
endif()
