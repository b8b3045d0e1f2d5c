#!/usr/bin/env python3
"""Generates a legacy SQLite store shaped like the Spanish retail ETL database of seed 003:
its nine tables (productos, ubicaciones, ventas, inventario_actual, inventario_historico,
clasificacion_abc, nivel_objetivo, pedidos_sugeridos, usuarios).

usage: make_spanish_retail.py OUT.db [--stores N] [--warehouses N] [--products N] [--days N]
       [--sales-per-day N] [--seed N] [--full [--snapshot-days N]]
Deterministic for a given seed. Without --full, the store has six tables (no
inventario_historico, nivel_objetivo, pedidos_sugeridos) and only stores hold inventory; --full
adds and fills those three (30-minute inventory snapshots over the last --snapshot-days days)
and gives the warehouses inventory too.
usuarios hold bcrypt hashes as a Node app writes them ($2a$/$2b$/$2y$; passwords in USERS).
Used by tests/migrate/map_test.sh and seed003_test.sh, and bench/migrate (1.5M+ rows).
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
p.add_argument("--warehouses", type=int, default=1)
p.add_argument("--full", action="store_true")
p.add_argument("--snapshot-days", type=int, default=2)
a = p.parse_args()
# Made with `htpasswd -bnBC` and python3-bcrypt (the vectors of src/common/bcrypt_test.cpp).
USERS = [
    (1, "admin", "admin@tienda.es", "$2y$10$56vpp.82qLSo0VFIhT6NOecBb8HQgLdA5q46f26OE3WAWzue04tWy", "admin", 1),  # Prisma-user-2024
    (2, "ana", "ana@tienda.es", "$2a$10$NFHLbo4qbrXvOtrWpFIwwe8WN24Hu0rW7/qAwi15vuvhvcDviUn2u", "analista", 1),  # correct horse battery
    (3, "luis.gerente", None, "$2b$10$LH2aESYdZGwxCBOhHUixK.KWqlEe/dpk6l44vyZq.PdVqa5kWVuMu", "gerente", 1),  # S3cret-pa55!
    (4, "marta", "marta@tienda.es", "$2b$10$ia18JoK/IipmRxGGeyyD3umie0eiCTaigH2Jj8ANY2IP3r1AtkgLK", "consulta", 0),  # ñandú-contraseña
    (5, "José Ñúñez", None, "$2y$04$v7Mm2zAES32p8Ke1EjuLCOLW0eZhPkvJajqd.5r1Owu4.JDjDdjA2", "consulta", 1),  # not a valid username
]
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
  email VARCHAR(120),
  password_hash VARCHAR(60) NOT NULL,
  rol VARCHAR(20) NOT NULL,
  activo BOOLEAN NOT NULL DEFAULT 1
);
""")
if a.full:
    c.executescript("""
CREATE TABLE inventario_historico (
  id INTEGER PRIMARY KEY,
  ubicacion_id VARCHAR(20) NOT NULL,
  producto_id VARCHAR(20) NOT NULL,
  cantidad NUMERIC(12,3) NOT NULL,
  fecha_snapshot DATETIME NOT NULL
);
CREATE INDEX idx_historico_fecha ON inventario_historico (fecha_snapshot);
CREATE TABLE nivel_objetivo (
  ubicacion_id VARCHAR(20) NOT NULL,
  producto_id VARCHAR(20) NOT NULL,
  stock_minimo NUMERIC(12,3) NOT NULL,
  stock_maximo NUMERIC(12,3) NOT NULL,
  nivel_servicio NUMERIC(4,3),
  dias_reposicion INTEGER,
  actualizado_en DATETIME NOT NULL,
  PRIMARY KEY (ubicacion_id, producto_id),
  CHECK (stock_minimo <= stock_maximo)
);
CREATE TABLE pedidos_sugeridos (
  id INTEGER PRIMARY KEY,
  fecha DATE NOT NULL,
  ubicacion_id VARCHAR(20) NOT NULL,
  producto_id VARCHAR(20) NOT NULL,
  cantidad_sugerida NUMERIC(12,3) NOT NULL,
  prioridad VARCHAR(10) NOT NULL CHECK (prioridad IN ('urgente', 'alta', 'media', 'baja')),
  estado VARCHAR(12) NOT NULL CHECK (estado IN ('pendiente', 'aprobado', 'rechazado')),
  motivo VARCHAR(200),
  revisado_por VARCHAR(40),
  revisado_en DATETIME
);
""")
regiones = ["Andalucía", "Cataluña", "Madrid", "Galicia"]
ubic = []
for i in range(1, a.stores + 1):
    ubic.append((i, "tienda_%02d" % i, "Tienda %d — %s" % (i, rnd.choice(["Málaga", "Cádiz", "Logroño", "A Coruña"])),
                 "tienda", regiones[i % len(regiones)], 1, 0))
cedis = ["Valdemoro", "Sevilla", "Zaragoza", "Valencia"]
warehouses = ["cedi_%02d" % w for w in range(1, a.warehouses + 1)]
for w, code in enumerate(warehouses):
    ubic.append((a.stores + 1 + w, code, "CEDI %s" % cedis[w % len(cedis)], "cedi",
                 ["Madrid", "Andalucía", "Aragón", "Valencia"][w % 4], 1, 1))
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
last = start + datetime.timedelta(days=a.days - 1)
holders = ["tienda_%02d" % s for s in range(1, a.stores + 1)] + (warehouses if a.full else [])
inv = []
for u in holders:
    for pi in range(1, a.products + 1):
        inv.append((u, "P%05d" % pi, rnd.randint(0, 200), 10, "%s 23:00:00" % last))
c.executemany("INSERT INTO inventario_actual VALUES (?,?,?,?,?)", inv)
if a.full:
    # Snapshots every 30 minutes over the last days; the day of inventario_actual included.
    hist, hid = [], 0
    for d in range(a.snapshot_days, 0, -1):
        day = last - datetime.timedelta(days=d - 1)
        for u in holders:
            for pi in range(1, a.products + 1):
                level = rnd.randint(50, 300)
                for half in range(48):
                    hid += 1
                    level = max(0, level - rnd.randint(0, 3))
                    hist.append((hid, u, "P%05d" % pi, level, "%s %02d:%02d:00" % (day, half // 2, 30 * (half % 2))))
    c.executemany("INSERT INTO inventario_historico VALUES (?,?,?,?,?)", hist)
    niveles = []
    for u in holders:
        for pi in range(1, a.products + 1):
            lo = rnd.randint(5, 40)
            niveles.append((u, "P%05d" % pi, lo, lo + rnd.randint(10, 120), rnd.choice([0.9, 0.95, 0.98, None]),
                            rnd.choice([2, 3, 5, 7, None]), "%s 06:00:00" % (last - datetime.timedelta(days=rnd.randint(0, 60)))))
    c.executemany("INSERT INTO nivel_objetivo VALUES (?,?,?,?,?,?,?)", niveles)
    pedidos, pid = [], 0
    for u in holders:
        for pi in range(1, a.products + 1):
            if rnd.random() < 0.5:
                continue
            pid += 1
            estado = rnd.choice(["pendiente", "pendiente", "aprobado", "rechazado"])
            revisado = None if estado == "pendiente" else "%s 09:%02d:00" % (last, rnd.randint(0, 59))
            pedidos.append((pid, str(last), u, "P%05d" % pi, rnd.randint(1, 80) * 1.0,
                            rnd.choice(["urgente", "alta", "media", "baja"]), estado,
                            "Stock bajo el mínimo" if pi % 2 else None,
                            None if revisado is None else "ana", revisado))
    c.executemany("INSERT INTO pedidos_sugeridos VALUES (?,?,?,?,?,?,?,?,?,?)", pedidos)
abc = [("P%05d" % pi, "tienda_%02d" % s, "ABC"[(pi + s) % 3], str(start)) for pi in range(1, a.products + 1)
       for s in range(1, a.stores + 1)]
c.executemany("INSERT INTO clasificacion_abc VALUES (?,?,?,?)", abc)
c.executemany("INSERT INTO usuarios VALUES (?,?,?,?,?,?)", USERS)
c.commit()
total = sum(c.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
            for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall())
print(total)
