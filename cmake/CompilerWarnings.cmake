# xtrader_target_defaults(<target>): the project's warning set and language level, applied to
# every target so that "-Wall -Wextra clean" means the same thing everywhere.
function(xtrader_target_defaults target)
    target_compile_features(${target} PUBLIC cxx_std_20)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                             -Wno-sign-conversion
                                             -Wno-missing-field-initializers)
    if(XTRADER_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()
