#pragma once
// The least-privilege roles' grants (docs/security.md), re-applied in place. The SQL is the
// migrations' own: V053's block and each later migration's DO block that names a corrente_
// role, run again in version order.
#include <string>
#include <vector>

#include "pg/pg.h"
#include "schema/migrations.h"

namespace corrente::schema {

struct RoleBlock {
  int version;
  std::string sql;  // "DO $tag$ ... $tag$;"
};

// The DO blocks of `migrations` (up scripts, version <= up_to) that name corrente_owner,
// corrente_api, corrente_pipeline or corrente_migrate, in version order. Pure.
std::vector<RoleBlock> RoleGrantBlocks(const std::vector<Migration>& migrations, int up_to);

// Runs those blocks of the embedded migrations, up to the database's schema version, on `conn`
// in one transaction under the migration lock: ownership and grants as the migrations give
// them, no data changed, the same result when run again. Throws, changing nothing, when the
// schema is below V053, an applied migration was changed, or the roles could not be set up
// (they are missing and the user may not create them, or it may not join corrente_owner).
// Returns the blocks run.
std::vector<RoleBlock> ReapplyRoleGrants(pg::Connection& conn);

}  // namespace corrente::schema
