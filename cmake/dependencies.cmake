# Third-party dependencies, all from Debian packages (see scripts/setup).
find_package(Threads REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
if(IXRAY_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()

set(IXRAY_LINK_LIBRARIES Threads::Threads fmt::fmt)
