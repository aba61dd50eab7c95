ALTER TABLE "deliveries" ADD COLUMN "url_from_transformation" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "webhooks" ADD COLUMN "transformation" jsonb;