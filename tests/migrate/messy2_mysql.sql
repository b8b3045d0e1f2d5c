-- Hostile MariaDB source, second round (tests/migrate/messy2_mysql_test.sh): what the first
-- round (messy_mysql.sql) left open. Loaded with sql_mode '' (a zero date in a NOT NULL
-- column, a division by zero giving NULL).
SET SESSION sql_mode = '';
DROP DATABASE IF EXISTS messy2; CREATE DATABASE messy2 CHARACTER SET utf8mb4; USE messy2;
-- '/' of exact numbers in generated columns: a decimal cut after 9 decimals, rounded when
-- stored. q8 at scale 8 is the largest that is exact; q9 (scale 9) and qq (computed with
-- further) stay plain columns.
CREATE TABLE quot (id INT PRIMARY KEY, a INT, b INT, p DECIMAL(10,2),
  q2 DECIMAL(14,2) AS (a / b) STORED, q0 INT AS (p / b) VIRTUAL, q8 DECIMAL(24,8) AS (p / b) STORED,
  qi BIGINT AS (IF(b > 0, a / b, NULL)) STORED,
  q9 DECIMAL(30,9) AS (a / b) STORED, qq DECIMAL(14,2) AS ((a / b) * 3) STORED);
INSERT INTO quot (id, a, b, p) VALUES (1, 1, 3, 2.50), (2, -1, 3, -2.50), (3, 2, 3, 0.05),
  (4, 5, 0, 1.00), (5, NULL, 2, NULL), (6, 1, 8, 0.01), (7, -5, 2, 7.77), (8, 2147483647, 7, 99999999.99),
  (9, 1, 200000000, 0.01), (10, 7, -2, -0.05);
INSERT INTO quot (id, a, b, p)
  SELECT 100 + n, (n * 7919) % 20001 - 10000, (n * 104729) % 201 - 100,
         ((n * 31337) % 2000001 - 1000000) / 100 FROM (SELECT CAST(seq AS SIGNED) n FROM seq_1_to_3000) s;
-- CHECKs comparing text: MariaDB compares it under the column's collation ('a' = 'A' under
-- _ci; 'b ' = 'B' under any PAD SPACE one, _bin included). Rows MariaDB took that PostgreSQL's
-- byte comparison refuses.
CREATE TABLE ci (id INT PRIMARY KEY, status VARCHAR(5) COLLATE utf8mb4_general_ci,
  code VARCHAR(5) COLLATE utf8mb4_bin, nb VARCHAR(5) COLLATE utf8mb4_nopad_bin, n INT,
  CONSTRAINT st CHECK (status IN ('A', 'B')), CONSTRAINT up CHECK (code IN ('AB', 'CD', 'EF')),
  CONSTRAINT ln CHECK (CHAR_LENGTH(status) <= 3), CONSTRAINT nbx CHECK (nb <> 'x'),
  CONSTRAINT pos CHECK (n > 0));
INSERT INTO ci VALUES (1, 'a', 'AB', 'y', 1), (2, 'b ', 'CD ', 'z', 2), (3, 'B', 'EF', NULL, 3);
-- =, <>, != and IN on PAD SPACE _bin columns (utf8mb4_bin, latin1_bin, a CHAR): carried as
-- MariaDB compares them (bytes, trailing spaces ignored); the test tries values in both.
CREATE TABLE pb (id INT PRIMARY KEY,
  a VARCHAR(8) COLLATE utf8mb4_bin CHECK (a IN ('x', 'é ', 'ß')),
  b VARCHAR(8) COLLATE utf8mb4_bin CHECK (b = 'Q'),
  c VARCHAR(8) COLLATE utf8mb4_bin CHECK (c <> ''),
  d VARCHAR(8) CHARACTER SET latin1 COLLATE latin1_bin CHECK (d != 'z'),
  e CHAR(4) COLLATE utf8mb4_bin CHECK (e IN ('k', 'k2')));
INSERT INTO pb VALUES (1, 'x ', 'Q  ', 'a', 'z!', 'k'), (2, 'é', 'Q', 'b ', 'Z', 'k2 ');
-- A foreign key to a column that is not unique (InnoDB takes any indexed column), and a
-- row without a match loaded with the checks off.
CREATE TABLE region (id INT PRIMARY KEY, code VARCHAR(5) CHARACTER SET ascii, KEY (code));
CREATE TABLE shop (id INT PRIMARY KEY, region_code VARCHAR(5) CHARACTER SET ascii,
  CONSTRAINT fk_region FOREIGN KEY (region_code) REFERENCES region (code));
INSERT INTO region VALUES (1, 'N'), (2, 'N'), (3, 'S');
SET foreign_key_checks = 0;
INSERT INTO shop VALUES (1, 'N'), (2, 'S'), (3, 'X'), (4, NULL);
SET foreign_key_checks = 1;
-- A latin1 key of a row that is refused (a zero date in a NOT NULL column).
CREATE TABLE l1 (id VARCHAR(5) CHARACTER SET latin1 PRIMARY KEY, d DATE NOT NULL);
INSERT INTO l1 VALUES ('é€', '0000-00-00'), ('ok', '2024-01-01');
-- Comments (COMMENT ON), descending index parts, unique prefix indexes (text and binary).
CREATE TABLE pfx2 (id INT PRIMARY KEY COMMENT 'the key', v VARCHAR(50) COMMENT 'it''s v', b VARBINARY(20),
  UNIQUE KEY uv (v(3)), UNIQUE KEY ub (b(2)), KEY kd (id DESC, v(5) DESC)) COMMENT 'prefixes and more';
INSERT INTO pfx2 VALUES (1, 'abcdef', x'0102ff'), (2, 'abd', x'0103'), (3, NULL, NULL), (4, NULL, NULL);
-- No primary key, a UNIQUE key: an edited row is a delete and an insert of the same email.
CREATE TABLE heap_u (email VARCHAR(50) CHARACTER SET ascii NOT NULL, n INT, UNIQUE KEY uq_email (email));
INSERT INTO heap_u VALUES ('a@x', 1), ('b@x', 2);
