#pragma once
// A streaming replica of the managed cluster (PostgreSQL's own replication): a managed home
// of its own under $CORRENTE_HOME/replica, made with pg_basebackup from the running primary.
// Once made, it is started, stopped and addressed like any managed home
// (CORRENTE_HOME=$CORRENTE_HOME/replica corrente db start|stop|url).
#include <string>

#include "common/config.h"

namespace corrente::cluster {

// $CORRENTE_HOME/replica.
std::string ReplicaHome(const Config& config);

// Starts the primary when needed, lets it accept replication over TLS from 127.0.0.1, copies
// it with pg_basebackup into ReplicaHome (first time) and starts the replica as a hot standby
// on a port of its own. Idempotent. Returns the replica's home.
std::string AddReplica(const Config& config);

}  // namespace corrente::cluster
