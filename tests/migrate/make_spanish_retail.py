#!/usr/bin/env python3
"""Generates a legacy SQLite store shaped like the Spanish retail ETL database
(productos, ubicaciones, ventas, inventario_actual, clasificacion_abc, usuarios).

usage: make_spanish_retail.py OUT.db [--stores N] [--products N] [--days N] [--sales-per-day N] [--seed N]
Deterministic for a given seed. Used by tests/migrate/map_test.sh (small) and
bench/migrate/run.sh (1.5M+ rows).
"""
import argparse
import datetime
import os
import random
import sqlite3

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--stores", type=int, default=3)
p.add_argument("--products", type=int, default=8)
p.add_argument("--days", type=int, default=10)
p.add_argument("--sales-per-day", type=int, default=6, help="sales rows per store per day")
p.add_argument("--seed", type=int, default=7)
a = p.parse_args()
rnd = random.Random(a.seed)
if os.path.exists(a.out):
    os.remove(a.out)
c = sqlite3.connect(a.out)
c.executescript("""
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE ubicaciones (
  id INTEGER PRIMARY KEY,
  codigo VARCHAR(20) NOT NULL UNIQUE,
  nombre VARCHAR(100) NOT NULL,
  tipo VARCHAR(10) NOT NULL CHECK (tipo IN ('tienda', 'cedi')),
  region VARCHAR(40),
  activo BOOLEAN NOT NULL DEFAULT 1,
  visible_pedidos BOOLEAN NOT NULL DEFAULT 0
);
CREATE TABLE productos (
  id INTEGER PRIMARY KEY,
  codigo VARCHAR(20) NOT NULL UNIQUE,
  descripcion VARCHAR(200) NOT NULL,
  categoria VARCHAR(60),
  grupo VARCHAR(60),
  unidad VARCHAR(5) NOT NULL DEFAULT 'UN',
  costo_centimos INTEGER CHECK (costo_centimos >= 0),
  precio_centimos INTEGER CHECK (precio_centimos >= 0),
  peso_kg REAL,
  activo BOOLEAN NOT NULL DEFAULT 1,
  creado_en DATETIME DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE ventas (
  id INTEGER PRIMARY KEY,
  fecha DATETIME NOT NULL,
  ubicacion_id VARCHAR(20) NOT NULL,
  producto_id VARCHAR(20) NOT NULL,
  cantidad NUMERIC(12,3) NOT NULL,
  precio_unitario NUMERIC(12,2),
  venta_total NUMERIC(14,2)
);
CREATE INDEX idx_ventas_fecha ON ventas (fecha);
CREATE INDEX idx_ventas_ubicacion_producto ON ventas (ubicacion_id, producto_id);
CREATE TABLE inventario_actual (
  ubicacion_id VARCHAR(20) NOT NULL,
  producto_id VARCHAR(20) NOT NULL,
  cantidad NUMERIC(12,3) NOT NULL DEFAULT 0,
  stock_minimo NUMERIC(12,3),
  fecha_actualizacion DATETIME NOT NULL,
  PRIMARY KEY (ubicacion_id, producto_id)
);
CREATE TABLE clasificacion_abc (
  producto_id VARCHAR(20) NOT NULL,
  ubicacion_id VARCHAR(20) NOT NULL,
  clase CHAR(1) NOT NULL CHECK (clase IN ('A', 'B', 'C')),
  calculado_en DATE NOT NULL,
  PRIMARY KEY (producto_id, ubicacion_id)
);
CREATE TABLE usuarios (
  id INTEGER PRIMARY KEY,
  usuario VARCHAR(40) NOT NULL UNIQUE,
  rol VARCHAR(20) NOT NULL
);
""")
regiones = ["Andalucía", "Cataluña", "Madrid", "Galicia"]
ubic = []
for i in range(1, a.stores + 1):
    ubic.append((i, "tienda_%02d" % i, "Tienda %d — %s" % (i, rnd.choice(["Málaga", "Cádiz", "Logroño", "A Coruña"])),
                 "tienda", regiones[i % len(regiones)], 1, 0))
ubic.append((a.stores + 1, "cedi_01", "CEDI Valdemoro", "cedi", "Madrid", 1, 1))
c.executemany("INSERT INTO ubicaciones VALUES (?,?,?,?,?,?,?)", ubic)
cats = [("Alimentación", "Aceites"), ("Alimentación", "Conservas"), ("Droguería", "Limpieza"), ("Bebidas", "Vinos")]
prods = []
for i in range(1, a.products + 1):
    cat, grp = cats[i % len(cats)]
    unidad = "KG" if i % 5 == 0 else "UN"
    costo = rnd.randint(50, 5000)
    prods.append((i, "P%05d" % i, "Producto %d ñ" % i, cat, grp, unidad, costo, int(costo * 1.35),
                  round(rnd.uniform(0.1, 5), 3), 1 if i % 17 else 0, "2024-01-01 00:00:00"))
c.executemany("INSERT INTO productos VALUES (?,?,?,?,?,?,?,?,?,?,?)", prods)
start = datetime.date(2024, 1, 1)
rows = []
vid = 0
for d in range(a.days):
    day = start + datetime.timedelta(days=d)
    for s in range(1, a.stores + 1):
        for _ in range(a.sales_per_day):
            vid += 1
            pi = rnd.randint(1, a.products)
            qty = round(rnd.uniform(0.2, 3), 3) if pi % 5 == 0 else rnd.randint(1, 6)
            price = prods[pi - 1][7] / 100
            rows.append((vid, "%s %02d:%02d:%02d" % (day, rnd.randint(8, 21), rnd.randint(0, 59), rnd.randint(0, 59)),
                         "tienda_%02d" % s, "P%05d" % pi, qty, price, round(qty * price, 2)))
            if len(rows) >= 50000:
                c.executemany("INSERT INTO ventas VALUES (?,?,?,?,?,?,?)", rows)
                rows = []
c.executemany("INSERT INTO ventas VALUES (?,?,?,?,?,?,?)", rows)
inv = []
for s in range(1, a.stores + 1):
    for pi in range(1, a.products + 1):
        inv.append(("tienda_%02d" % s, "P%05d" % pi, rnd.randint(0, 200), 10, "%s 23:00:00" % (start + datetime.timedelta(days=a.days - 1))))
c.executemany("INSERT INTO inventario_actual VALUES (?,?,?,?,?)", inv)
abc = [("P%05d" % pi, "tienda_%02d" % s, "ABC"[(pi + s) % 3], str(start)) for pi in range(1, a.products + 1)
       for s in range(1, a.stores + 1)]
c.executemany("INSERT INTO clasificacion_abc VALUES (?,?,?,?)", abc)
c.executemany("INSERT INTO usuarios VALUES (?,?,?)", [(1, "admin", "ADMIN"), (2, "ana", "ANALYST")])
c.commit()
total = sum(c.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
            for t in ["ubicaciones", "productos", "ventas", "inventario_actual", "clasificacion_abc", "usuarios"])
print(total)
