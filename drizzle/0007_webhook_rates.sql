CREATE TABLE "webhook_rates" (
	"webhook_id" uuid PRIMARY KEY NOT NULL,
	"next_at" timestamp with time zone NOT NULL
);
