CREATE TABLE "filter_policies" (
	"filter_type" text PRIMARY KEY NOT NULL,
	"timeout_ms" integer NOT NULL,
	"on_unreachable" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "filter_stats_hourly" (
	"hour" timestamp with time zone NOT NULL,
	"filter_type" text NOT NULL,
	"webfilter_id" uuid NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	"halts" integer DEFAULT 0 NOT NULL,
	"changes" integer DEFAULT 0 NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"shadow_disagreements" integer DEFAULT 0 NOT NULL,
	"buckets" integer[] NOT NULL,
	CONSTRAINT "filter_stats_hourly_hour_filter_type_webfilter_id_pk" PRIMARY KEY("hour","filter_type","webfilter_id")
);
--> statement-breakpoint
CREATE TABLE "webfilter_breakers" (
	"webfilter_id" uuid PRIMARY KEY NOT NULL,
	"state" text NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"open_until" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "webfilters" ADD COLUMN "mode" text DEFAULT 'enforce' NOT NULL;--> statement-breakpoint
ALTER TABLE "webfilter_breakers" ADD CONSTRAINT "webfilter_breakers_webfilter_id_webfilters_id_fk" FOREIGN KEY ("webfilter_id") REFERENCES "public"."webfilters"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "filter_stats_hourly_hour_idx" ON "filter_stats_hourly" USING btree ("hour");