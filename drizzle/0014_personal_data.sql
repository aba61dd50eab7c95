CREATE TABLE "retirements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" integer,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"done_at" timestamp with time zone,
	"events" integer DEFAULT 0 NOT NULL,
	"deliveries" integer DEFAULT 0 NOT NULL,
	"filter_calls" integer DEFAULT 0 NOT NULL,
	"cancelled" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "webfilters" ADD COLUMN "personal_data" text DEFAULT 'send' NOT NULL;--> statement-breakpoint
ALTER TABLE "webhooks" ADD COLUMN "personal_data" text DEFAULT 'send' NOT NULL;--> statement-breakpoint
CREATE INDEX "retirements_requested_idx" ON "retirements" USING btree ("requested_at");