ALTER TABLE "retirements" ADD COLUMN "request_key" text;--> statement-breakpoint
CREATE UNIQUE INDEX "retirements_request_key_idx" ON "retirements" USING btree ("request_key");