-- MariaDB fixture: every MySQL type rule `corrente migrate` handles.
DROP DATABASE IF EXISTS stock;
CREATE DATABASE stock CHARACTER SET utf8mb4;
USE stock;
SET SESSION sql_mode = '';
SET time_zone = '+00:00';

CREATE TABLE dim_item (
  item_id     INT UNSIGNED NOT NULL AUTO_INCREMENT,
  sku         VARCHAR(32) NOT NULL,
  name        VARCHAR(100) NOT NULL,
  active      TINYINT(1) NOT NULL DEFAULT 1,
  flags       TINYINT(1) NOT NULL DEFAULT 0,
  weight_g    MEDIUMINT,
  big_counter BIGINT UNSIGNED,
  price       DECIMAL(10,2) NOT NULL DEFAULT '0.00',
  ratio       DOUBLE,
  status      ENUM('active','discontinued','draft') NOT NULL DEFAULT 'draft',
  tags        SET('promo','fragile','cold'),
  created_at  DATETIME NOT NULL DEFAULT '2000-01-01 00:00:00',
  updated_at  TIMESTAMP NULL,
  launch      DATE,
  shelf_time  TIME,
  photo       BLOB,
  PRIMARY KEY (item_id),
  UNIQUE KEY uq_sku (sku),
  KEY idx_status (status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO dim_item VALUES
 (1, 'SKU-1', 'Café molido 250g', 1, 0, 250, 18446744073709551615, 12.50, 0.1, 'active', 'promo,cold',
  '2023-03-01 10:20:30', '2023-03-01 10:20:30', '2023-01-15', '12:30:00', X'00FF10'),
 (2, 'SKU-2', 'Té verde — 日本', 0, 2, NULL, 0, 3.99, -2.5e-10, 'discontinued', '',
  '2023-03-02 00:00:00', NULL, '0000-00-00', '838:59:59', NULL),
 (3, 'SKU-3', 'Jabón', 1, 1, 100, 42, 0.00, NULL, 'draft', 'fragile',
  '0000-00-00 00:00:00', '2024-02-29 23:59:59', NULL, '-01:00:00', ''),
 (4, 'SKU-4', 'Azúcar', 1, 0, 1000, NULL, 1.10, 1e300, 'active', NULL,
  '2024-12-31 23:59:59', NULL, '2024-12-31', '-01:00:00', NULL);

CREATE TABLE dim_site (
  site_code  CHAR(6) NOT NULL,
  name       VARCHAR(60) CHARACTER SET latin1 NOT NULL,
  city       VARCHAR(60) CHARACTER SET latin1,
  is_dc      TINYINT(1) NOT NULL,
  PRIMARY KEY (site_code)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;
INSERT INTO dim_site VALUES ('SUC001', 'Tienda Peñalara', 'Málaga', 0), ('SUC002', 'Tienda €uro', 'Cádiz', 0),
  ('CEDI01', 'Centro de distribución', 'Sevilla', 1);

-- No primary key.
CREATE TABLE fact_movements (
  item_id  INT UNSIGNED NOT NULL,
  site     CHAR(6) NOT NULL,
  qty      SMALLINT NOT NULL,
  moved_on DATE NOT NULL,
  note     VARCHAR(40)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO fact_movements VALUES (1, 'SUC001', 5, '2024-01-01', 'ok'), (1, 'SUC001', 5, '2024-01-01', 'ok'),
  (2, 'SUC002', -3, '2024-01-02', NULL), (4, 'CEDI01', 32767, '2024-01-03', 'máx');

-- Server-side charset conversion already refuses invalid UTF-8 in utf8mb4 columns, so the
-- invalid-UTF-8 row-by-row report is exercised by the SQLite and CSV fixtures.
CREATE TABLE notes (
  id   INT NOT NULL PRIMARY KEY,
  body VARCHAR(40) CHARACTER SET utf8mb4,
  CONSTRAINT body_not_empty CHECK (body <> ''),
  FULLTEXT KEY body_ft (body)
) ENGINE=InnoDB;
INSERT INTO notes VALUES (1, 'fine'), (2, 'también'), (3, NULL);
