-- Hostile-but-realistic MariaDB source for tests/migrate/messy_test.sh: what legacy databases
-- hold that nobody here wrote. Loaded with sql_mode '' (zero dates, enum error values).
SET SESSION sql_mode = '';
DROP DATABASE IF EXISTS messy; CREATE DATABASE messy CHARACTER SET utf8mb4; USE messy;
-- FLOAT is printed by MySQL with 6 digits (1234567 as 1234570); BIT(64) exceeds bigint.
CREATE TABLE nums (id INT PRIMARY KEY, f FLOAT, d DOUBLE, dec65 DECIMAL(65,30), ut TINYINT UNSIGNED,
  us SMALLINT UNSIGNED, um MEDIUMINT UNSIGNED, ui INT UNSIGNED, ub BIGINT UNSIGNED, b64 BIT(64),
  b8 BIT(8), fu FLOAT UNSIGNED);
INSERT INTO nums VALUES
 (1, 1234567, 0.30000000000000004, '12345678901234567890123456789012345.123456789012345678901234567890',
  255, 65535, 16777215, 4294967295, 18446744073709551615,
  b'1111111111111111111111111111111111111111111111111111111111111111', b'11111111', 0.1),
 (2, 3.4028234e38, 1.7976931348623157e308,
  '-99999999999999999999999999999999999.999999999999999999999999999999', 0, 0, 0, 0, 0, 0, 0, 0),
 (3, 1.1754944e-38, 2.2250738585072014e-308, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (4, -0.0, -0.0, -0.0, 1, 1, 1, 1, 1, b'1', b'1', 1e-7),
 (5, 0.1, 4.9e-324, 1e-30, 2, 2, 2, 2, 9223372036854775808,
  b'1000000000000000000000000000000000000000000000000000000000000000', 2, 16777217);
CREATE TABLE dates (id INT PRIMARY KEY, d DATE, dt6 DATETIME(6), ts TIMESTAMP(6) NULL, t TIME(6), y YEAR);
INSERT INTO dates VALUES (1, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '838:59:59.000000', 0),
 (2, '2024-00-15', '2024-02-00 10:00:00.123456', '2024-01-01 00:00:00.5', '-838:59:59', 1901),
 (3, '9999-12-31', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', '-00:00:01.500000', 2155),
 (4, '1000-01-01', '1000-01-01 00:00:00', NULL, '100:00:00.000001', NULL);
CREATE TABLE bins (id INT PRIMARY KEY, b BINARY(4), vb VARBINARY(10), c CHAR(5), vc VARCHAR(10), lb LONGBLOB);
INSERT INTO bins VALUES (1, 'a', x'610000', 'ab   ', 'ab   ', NULL),
 (2, x'00000000', x'00', '', '', REPEAT('x', 3000000)), (3, x'ff', x'ff00ff00', 'é😀', '😀🇪🇸𝄞', x'00');
CREATE TABLE `Weird Table.Name` (`user` INT, `order` INT, `group` VARCHAR(10), `Select` TEXT,
  `col with space` INT, PRIMARY KEY (`user`, `order`));
INSERT INTO `Weird Table.Name` VALUES (1, 1, 'a', 'x', 1), (1, 2, 'b', 'y', 2), (2, 1, NULL, NULL, NULL);
CREATE TABLE dupes (a INT, b VARCHAR(5));
INSERT INTO dupes VALUES (1, 'x'), (1, 'x'), (1, 'x'), (NULL, NULL), (NULL, NULL);
-- A self-reference, a cycle between two tables, and the FK's index named `dept` like the table.
CREATE TABLE emp (id INT PRIMARY KEY AUTO_INCREMENT, boss INT NULL, dept INT NULL,
  FOREIGN KEY (boss) REFERENCES emp(id) ON DELETE SET NULL);
CREATE TABLE dept (id INT PRIMARY KEY, head INT NULL, FOREIGN KEY (head) REFERENCES emp(id) ON DELETE CASCADE);
ALTER TABLE emp ADD FOREIGN KEY (dept) REFERENCES dept(id);
INSERT INTO emp (id, boss, dept) VALUES (1, NULL, NULL), (2, 1, NULL), (3, 2, NULL);
INSERT INTO dept VALUES (10, 1); UPDATE emp SET dept = 10;
ALTER TABLE emp AUTO_INCREMENT = 1000;
CREATE VIEW v_emp AS SELECT id, boss FROM emp;
CREATE TRIGGER trg BEFORE INSERT ON dept FOR EACH ROW SET NEW.head = NEW.head;
CREATE PROCEDURE p1() SELECT 1;
CREATE SEQUENCE seq_pedido START WITH 500;
CREATE TABLE parts (id INT, k DATE, PRIMARY KEY (id, k)) PARTITION BY RANGE (YEAR(k))
  (PARTITION p0 VALUES LESS THAN (2020), PARTITION p1 VALUES LESS THAN MAXVALUE);
INSERT INTO parts VALUES (1, '2019-01-01'), (2, '2021-01-01');
CREATE TABLE checks (id INT PRIMARY KEY, q INT CHECK (q > 0), r INT, CONSTRAINT qr CHECK (r >= q));
INSERT INTO checks VALUES (1, 1, 2);
CREATE TABLE invis (id INT PRIMARY KEY, secret VARCHAR(10) INVISIBLE DEFAULT 'hid', v INT);
INSERT INTO invis (id, secret, v) VALUES (1, 'shh', 5);
CREATE TABLE versioned (id INT PRIMARY KEY, v INT) WITH SYSTEM VERSIONING;
INSERT INTO versioned VALUES (1, 1), (2, 2); UPDATE versioned SET v = 3 WHERE id = 1;
-- 'zzz' is not a member: a non-strict MariaDB stores '' (the error value, index 0).
CREATE TABLE en (id INT PRIMARY KEY, e ENUM('a','b'), s SET('x','y'));
INSERT INTO en VALUES (1, 'a', 'x,y'), (2, 'zzz', ''), (3, NULL, 'x');
-- A latin1 text key (€ sorts after é in UTF-8, before it in latin1) and charsets the server converts.
CREATE TABLE cs (id VARCHAR(10) CHARACTER SET latin1 PRIMARY KEY, ru VARCHAR(10) CHARACTER SET cp1251,
  l2 VARCHAR(10) CHARACTER SET latin2, u16 VARCHAR(10) CHARACTER SET utf16);
INSERT INTO cs VALUES ('€', 'Привет', 'Łódź', 'héllo😀'), ('é', 'мир', 'ż', 'x'), ('z', NULL, NULL, NULL);
CREATE TABLE defs (id INT PRIMARY KEY, a DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6), b VARCHAR(36) DEFAULT (uuid()),
  c DATE DEFAULT '0000-00-00', e ENUM('x','y') DEFAULT 'y', f DOUBLE DEFAULT 1e10, g TEXT DEFAULT 'it''s',
  h VARCHAR(20) DEFAULT 'a\\b', k VARCHAR(20) DEFAULT 'l1\nl2', m VARCHAR(20) DEFAULT 'q''q');
INSERT INTO defs (id) VALUES (1);
CREATE TABLE pfx (id INT PRIMARY KEY, t TEXT, v VARCHAR(200), UNIQUE KEY (v(3)), KEY (t(10)));
INSERT INTO pfx VALUES (1, REPEAT('a', 5000), 'abcdef'), (2, 'b', 'abd');
-- MariaDB's own types: UUID (10.7+), INET6, a ZEROFILL integer, JSON (LONGTEXT + CHECK).
CREATE TABLE modern (id INT PRIMARY KEY, g UUID, i6 INET6, z INT(5) UNSIGNED ZEROFILL, js JSON);
INSERT INTO modern VALUES (1, '123e4567-e89b-12d3-a456-426614174000', '2001:db8::1', 42, '{"a": 1.50, "b": [1, 2]}'),
 (2, NULL, '::ffff:1.2.3.4', NULL, NULL);
-- Columns named like PostgreSQL's system columns (a GIS bounding box has xmin/xmax).
CREATE TABLE bbox (id INT PRIMARY KEY, xmin DOUBLE, ymin DOUBLE, xmax DOUBLE, ctid INT, xmin_ INT,
  CHECK (xmax >= xmin));
INSERT INTO bbox VALUES (1, -3.5, 0, 1, 7, 8);
