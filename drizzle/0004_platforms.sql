CREATE TABLE "platform_activity" (
	"host" text NOT NULL,
	"variant" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"events" integer DEFAULT 0 NOT NULL,
	"filter_calls" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "platform_activity_host_variant_hour_pk" PRIMARY KEY("host","variant","hour")
);
--> statement-breakpoint
CREATE TABLE "platforms" (
	"host" text NOT NULL,
	"variant" text NOT NULL,
	"relay_version" text,
	"events_version" text,
	"filters_version" text,
	"api_key_id" uuid,
	"catalog" jsonb,
	"catalog_updated_at" timestamp with time zone,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "platforms_host_variant_pk" PRIMARY KEY("host","variant")
);
--> statement-breakpoint
CREATE INDEX "platform_activity_hour_idx" ON "platform_activity" USING btree ("hour");