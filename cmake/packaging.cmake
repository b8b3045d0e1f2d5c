# The Debian package (CPack DEB): `cpack -G DEB` in the build directory after
# `web/scripts/web.sh build`. Layout, units and maintainer scripts: deploy/, docs/operations.md.
set(CORRENTE_DEPLOY ${PROJECT_SOURCE_DIR}/deploy)

# DuckDB is not in Debian: its library travels in the package, found through the RUNPATH.
if(DUCKDB_LIBRARY AND DUCKDB_INCLUDE_DIR)
  set_target_properties(corrente PROPERTIES INSTALL_RPATH "\$ORIGIN/../lib/corrente")
  install(FILES ${DUCKDB_LIBRARY} DESTINATION lib/corrente)
endif()
install(TARGETS corrente RUNTIME DESTINATION bin)

# The built dashboard; a package without it would serve only the API.
set(CORRENTE_WEB_DIST ${PROJECT_SOURCE_DIR}/web/dist)
install(CODE "if(NOT EXISTS \"${CORRENTE_WEB_DIST}/index.html\")
  message(FATAL_ERROR \"no ${CORRENTE_WEB_DIST}/index.html: run web/scripts/web.sh build first\")
endif()")
install(DIRECTORY ${CORRENTE_WEB_DIST}/ DESTINATION share/corrente/web PATTERN ".corrente-src" EXCLUDE)
# The binary embeds the migrations; the SQL ships for reading and for DBAs (KPI reports too).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/sql/ DESTINATION share/corrente/sql)
install(FILES ${CORRENTE_DEPLOY}/sync.env.example DESTINATION share/corrente/examples)
# Monitoring and proxy examples: Prometheus (rules, scrape config), Grafana, nginx.
install(FILES ${CORRENTE_DEPLOY}/prometheus/corrente.rules.yml ${CORRENTE_DEPLOY}/prometheus/prometheus.yml
              ${CORRENTE_DEPLOY}/grafana/corrente.json ${CORRENTE_DEPLOY}/nginx/corrente.conf
        DESTINATION share/corrente/examples)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/operations.md
        DESTINATION share/doc/corrente)

install(FILES ${CORRENTE_DEPLOY}/corrente.env DESTINATION /etc/corrente
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${CORRENTE_DEPLOY}/systemd/corrente.service
              ${CORRENTE_DEPLOY}/systemd/corrente-pipeline.service
              ${CORRENTE_DEPLOY}/systemd/corrente-pipeline.timer
              ${CORRENTE_DEPLOY}/systemd/corrente-sync@.service
              ${CORRENTE_DEPLOY}/systemd/corrente-sync@.timer
              ${CORRENTE_DEPLOY}/systemd/corrente-sync-follow@.service
        DESTINATION /lib/systemd/system)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME corrente)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Corrente maintainers <corrente@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "inventory forecasting and replenishment analytics on PostgreSQL")
set(CPACK_PACKAGE_DESCRIPTION "One binary moves legacy data into PostgreSQL, computes forecasts
and inventory policy offline, and serves a REST API and a dashboard to planners.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Relative to the staging directory, where dpkg-shlibdeps runs: the packaged libduckdb.so.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS usr/lib/corrente)
# Recommends, not Depends: the managed cluster needs the server binaries and the openssl
# command (its TLS CA), and pgbackrest archives its WAL (backups), but a server on DATABASE_URL (the compose file's postgres:15
# container) needs neither.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql-15, openssl, pgbackrest")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CORRENTE_DEPLOY}/debian/postinst ${CORRENTE_DEPLOY}/debian/prerm
    ${CORRENTE_DEPLOY}/debian/postrm ${CORRENTE_DEPLOY}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
