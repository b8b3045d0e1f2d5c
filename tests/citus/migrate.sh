# Sourced by citus_test.sh: `migrate copy --distribute-by COLUMN` into the Citus database.
# A small SQLite store: the tables with store_id are distributed by it (co-located), the
# others become reference tables, a key without store_id is widened and reported, and verify
# still matches. Chinook by CustomerId is refused (Invoice's unique index IPK_Invoice on
# InvoiceId alone cannot be enforced per shard) and leaves its tables where they were.
src="$base/store.sqlite"
python3 - "$src" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("""
CREATE TABLE stores (store_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE skus (sku TEXT PRIMARY KEY, name TEXT);
CREATE TABLE sales (sale_id INTEGER PRIMARY KEY, store_id INTEGER NOT NULL REFERENCES stores (store_id),
                    sku TEXT REFERENCES skus (sku), qty INTEGER CHECK (qty > 0));
CREATE TABLE stock (store_id INTEGER NOT NULL REFERENCES stores (store_id), sku TEXT NOT NULL REFERENCES skus (sku),
                    qty INTEGER, PRIMARY KEY (store_id, sku));
""")
db.executemany("INSERT INTO stores VALUES (?, ?)", [(i, f"store {i}") for i in range(1, 11)])
db.executemany("INSERT INTO skus VALUES (?, ?)", [(f"S{i}", f"sku {i}") for i in range(1, 21)])
db.executemany("INSERT INTO sales VALUES (?, ?, ?, ?)",
               [(i, 1 + i % 10, f"S{1 + i % 20}", 1 + i % 7) for i in range(1, 2001)])
db.executemany("INSERT INTO stock VALUES (?, ?, ?)", [(s, f"S{k}", s * k) for s in range(1, 11) for k in range(1, 21)])
db.commit()
PY
role_urls corrente
export DATABASE_URL="$citus_db_url"
out=$("$corrente" migrate copy "sqlite://$src" --schema store --distribute-by store_id 2>&1); rc=$?
check "migrate copy --distribute-by store_id into Citus" [ $rc -eq 0 ]
[ $rc -eq 0 ] || echo "$out" | tail -10
check "  it reports the distributed tables" contains "$out" 'citus: "store"."sales": distributed by store_id, co-located with "store"."s'
check "  and the reference table" contains "$out" 'citus: "store"."skus": reference table'
check "  and the key it widened" contains "$out" '"store"."sales": PRIMARY KEY \(sale_id\) cannot be enforced across shards; now PRIMARY KEY \(sale_id, store_id\)'
for t in stores sales stock; do
  check "store.$t is hash-distributed by store_id" [ "$(q "select partmethod::text || ':' || column_to_column_name(logicalrelid, partkey) from pg_dist_partition where logicalrelid = 'store.$t'::regclass")" = "h:store_id" ]
done
check "store.skus is a reference table" [ "$(q "select repmodel::text from pg_dist_partition where logicalrelid = 'store.skus'::regclass")" = t ]
check "the distributed tables share one co-location group" [ "$(q "select count(distinct colocationid) from pg_dist_partition where logicalrelid::text like 'store.s%' and partmethod = 'h'")" = 1 ]
check "every row arrived (2,000 sales, 200 stock rows)" [ "$(q "select (select count(*) from store.sales) || '/' || (select count(*) from store.stock)")" = "2000/200" ]
check "the foreign keys hold on Citus (an unknown store is refused)" bash -c "! psql '$citus_db_url' -qAtX -c 'insert into store.sales values (9999, 99, null, 1)' 2>/dev/null"
out=$("$corrente" migrate verify "sqlite://$src" --schema store 2>&1); rc=$?
check "migrate verify matches on the distributed copy" [ $rc -eq 0 ]
[ $rc -eq 0 ] || echo "$out" | tail -10
out=$("$corrente" migrate copy "sqlite://$here/../fixtures/chinook.sqlite" --schema chinook --distribute-by CustomerId 2>&1); rc=$?
check "chinook by CustomerId is refused" [ $rc -ne 0 ]
check "  naming the unique index it cannot keep" contains "$out" 'unique index IPK_Invoice lacks CustomerId and cannot be enforced'
check "  and its tables stay local" [ "$(q "select count(*) from pg_dist_partition where logicalrelid::text like 'chinook.%'")" = 0 ]
unset DATABASE_URL DATABASE_URL_API DATABASE_URL_PIPELINE DATABASE_URL_MIGRATE
