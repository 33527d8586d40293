-- bench.sql -- the sqlite3 benchmark (run on :memory:): @ROWS@ rows from a
-- recursive CTE, an index, a self-join and aggregates (B-tree, VDBE, sorter).
-- bench.sh replaces @ROWS@.
CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, s TEXT);
WITH RECURSIVE c(i, x) AS (SELECT 1, 42 UNION ALL
    SELECT i + 1, (x * 69069 + 1) % 4294967296 FROM c WHERE i < @ROWS@)
INSERT INTO t SELECT i, x % 1000, printf('%08x-%d', x, i % 97) FROM c;
CREATE INDEX t_k ON t(k);
SELECT count(*), sum(k), max(s) FROM t;
SELECT k, count(*), min(s) FROM t WHERE k % 50 = 7 GROUP BY k ORDER BY 2 DESC, 1 LIMIT 5;
SELECT count(*) FROM t a JOIN t b ON a.k = b.k AND b.id = a.id + 1000;
SELECT substr(s, 1, 2) AS p, count(*), avg(k) FROM t GROUP BY p ORDER BY p LIMIT 3;
