CREATE TABLE "workers" (
	"id" text PRIMARY KEY NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "deliveries_locked_by_idx" ON "deliveries" USING btree ("locked_by") WHERE "deliveries"."locked_by" is not null;--> statement-breakpoint
CREATE INDEX "deliveries_failed_webhook_idx" ON "deliveries" USING btree ("event_type","id") WHERE "deliveries"."status" = 'failed' and "deliveries"."kind" = 'webhook';