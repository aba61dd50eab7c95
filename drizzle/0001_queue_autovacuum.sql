-- Custom SQL migration file, put your code below! --
-- The deliveries table is a queue: every row is inserted, updated two or three times and finished within
-- seconds, and it can grow by tens of thousands of rows a minute. The defaults (vacuum after 20 % of the
-- table changed, analyze after 10 %) let dead rows and stale statistics pile up under load; a few percent
-- keeps the due index lean and the planner's picture of the table current.
ALTER TABLE "deliveries" SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.01);--> statement-breakpoint
ALTER TABLE "delivery_attempts" SET (autovacuum_analyze_scale_factor = 0.02);
