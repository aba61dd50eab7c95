CREATE TABLE "openedx_exclusions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"openedx_username" text,
	"email" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "openedx_exclusions_username_idx" ON "openedx_exclusions" USING btree ("openedx_username");--> statement-breakpoint
CREATE INDEX "openedx_exclusions_email_idx" ON "openedx_exclusions" USING btree (lower("email"));